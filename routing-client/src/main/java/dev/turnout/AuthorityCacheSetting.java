package dev.turnout;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Validates {@code turnout.authority.cache.file} ({@link TurnoutConfig#AUTHORITY_CACHE_FILE}). */
final class AuthorityCacheSetting {

  private AuthorityCacheSetting() {}

  /**
   * The cache file, or {@code null} when none is set.
   *
   * @param authorityFile {@code turnout.authority.file}, or {@code null}
   * @throws TurnoutConfigException for a blank or malformed path, or the authority file itself
   */
  static Path parse(String cacheFile, String authorityFile) {
    if (cacheFile == null) {
      return null;
    }
    Path path;
    try {
      path = Path.of(cacheFile.trim()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_CACHE_FILE, cacheFile,
          "not a valid path (" + e.getMessage() + ")");
    }
    if (cacheFile.isBlank() || path.getFileName() == null) {
      throw TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_CACHE_FILE, cacheFile, "must be the path of a "
          + "file in an existing directory, or unset for no last-known-good cache");
    }
    if (authorityFile != null && !authorityFile.isBlank()
        && path.equals(Path.of(authorityFile.trim()).toAbsolutePath().normalize())) {
      throw TurnoutConfigException.invalid(TurnoutConfig.AUTHORITY_CACHE_FILE, cacheFile, "is the authority file "
          + "itself (" + TurnoutConfig.AUTHORITY_FILE + "): the cache must be a file of its own, or the client would "
          + "overwrite its source");
    }
    return path;
  }
}
