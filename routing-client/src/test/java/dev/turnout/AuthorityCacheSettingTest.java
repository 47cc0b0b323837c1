package dev.turnout;

import static dev.turnout.TurnoutSettingsTest.parse;
import static dev.turnout.TurnoutSettingsTest.rejected;
import static dev.turnout.TurnoutSettingsTest.valid;
import static dev.turnout.TurnoutSettingsTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code turnout.authority.cache.file}: optional, a file of its own. */
class AuthorityCacheSettingTest {

  @Test
  void noCacheByDefault() {
    assertThat(parse(valid()).authorityCacheFile).isNull();
  }

  @Test
  void aPathIsTakenAbsolute() {
    TurnoutSettings settings = parse(with(valid(), TurnoutConfig.AUTHORITY_CACHE_FILE, " /var/lib/app/authority.cache "));
    assertThat(settings.authorityCacheFile).isEqualTo(Path.of("/var/lib/app/authority.cache"));
  }

  @Test
  void aBlankPathIsRejected() {
    ConfigException e = rejected(with(valid(), TurnoutConfig.AUTHORITY_CACHE_FILE, "  "));
    assertThat(e).hasMessageContaining(TurnoutConfig.AUTHORITY_CACHE_FILE)
        .hasMessageContaining("or unset for no last-known-good cache");
  }

  @Test
  void theAuthorityFileItselfIsRejected() {
    ConfigException e = rejected(with(valid(), TurnoutConfig.AUTHORITY_CACHE_FILE,
        "/etc/turnout/../turnout/authority.properties"));
    assertThat(e).isInstanceOf(TurnoutConfigException.class)
        .hasMessageContaining(TurnoutConfig.AUTHORITY_CACHE_FILE)
        .hasMessageContaining("is the authority file itself (turnout.authority.file)");
  }
}
