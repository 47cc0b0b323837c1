package dev.turnout.archaius;

import com.netflix.config.ConfigurationManager;
import com.netflix.config.DynamicConfiguration;
import dev.turnout.source.AuthoritySource;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.configuration.AbstractConfiguration;
import org.apache.commons.configuration.event.ConfigurationEvent;
import org.apache.commons.configuration.event.ConfigurationListener;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the authority document from Archaius dynamic properties: every property whose name starts with the prefix
 * ({@value #DEFAULT_PREFIX} by default, or {@value #PREFIX_CONFIG}) is a key of the document, the prefix stripped
 * ({@code turnout.authority.document.epoch=7} is {@code epoch=7}).
 *
 * <p>Configure it with {@code turnout.authority.source=dev.turnout.archaius.ArchaiusAuthoritySource}: the
 * no-argument constructor reads {@link ConfigurationManager#getConfigInstance()}, and {@link #configure} takes the
 * prefix from the client configuration. Or pass an instance built over any {@link AbstractConfiguration}.
 *
 * <p>Changes: from its first read on, the source listens to the configuration, and a change of a property under
 * the prefix calls the callback given to {@link #onChange}, so that the client reads the new document at once
 * instead of at its next refresh. {@link #close()} removes the listener.
 *
 * <p>Values: Archaius splits a value at commas (unless delimiter parsing is disabled) and trims the parts; a value
 * split that way is joined again with {@code ","} and no spaces ({@code orders, orders.v2} reads
 * {@code orders,orders.v2}). Values are read raw, without interpolation.
 *
 * <p>Torn reads: Archaius applies the properties of a polled source one by one, so a read can see a document half
 * updated. {@link #read()} returns a snapshot taken once no property under the prefix has changed for a short
 * quiet period (and none changed while it was taken), so a read caused by a burst of updates sees the whole
 * burst. A writer that pauses longer than that can still leave half a document: the document's {@code key-count}
 * rejects it as {@code INCOMPLETE} when its number of keys differs, the client's same-epoch rule replaces a valid
 * half of a new epoch as soon as the whole document is read, and a signed document can never be installed half
 * updated (see docs/authority-document.md and docs/control-plane.md).
 *
 * <p>Thread-safe: {@link #read()} is called by one refresh thread, change events come from the threads that update
 * the configuration.
 */
public final class ArchaiusAuthoritySource implements AuthoritySource, Configurable {

  /** Client configuration key of the prefix of the document's properties. */
  public static final String PREFIX_CONFIG = "turnout.authority.archaius.prefix";
  /** Default of {@link #PREFIX_CONFIG}. */
  public static final String DEFAULT_PREFIX = "turnout.authority.document.";

  /** How long no property under the prefix may have changed before a read takes its snapshot. */
  static final long DEFAULT_QUIET_MILLIS = 10;
  /** Longest a read waits for the properties to be quiet, in quiet periods (500 ms); then the read fails. */
  static final int MAX_QUIET_PERIODS = 50;

  private static final Logger log = LoggerFactory.getLogger(ArchaiusAuthoritySource.class);

  private final AbstractConfiguration configuration;
  private final long quietNanos;
  private final Listener listener = new Listener();
  private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();
  /** Changes of properties under the prefix seen by the listener. */
  private final AtomicLong changes = new AtomicLong();
  /** {@link System#nanoTime()} of the last change under the prefix; written before {@link #changes} is raised. */
  private volatile long lastChangeNanos;
  /** {@link #changes} when the last snapshot returned by {@link #read()} was taken. */
  private volatile long changesAtLastRead;
  private volatile String prefix;
  private boolean listening; // guarded by this
  private boolean closed; // guarded by this

  /** Reads the properties under {@value #DEFAULT_PREFIX} (or {@value #PREFIX_CONFIG}) of Archaius's configuration. */
  public ArchaiusAuthoritySource() {
    this(DEFAULT_PREFIX, ConfigurationManager.getConfigInstance());
  }

  /** Reads the properties under {@code prefix} of Archaius's configuration. */
  public ArchaiusAuthoritySource(String prefix) {
    this(prefix, ConfigurationManager.getConfigInstance());
  }

  /**
   * Reads the properties under {@code prefix} of {@code configuration}.
   *
   * @throws IllegalArgumentException when the prefix is blank
   */
  public ArchaiusAuthoritySource(String prefix, AbstractConfiguration configuration) {
    this(prefix, configuration, DEFAULT_QUIET_MILLIS);
  }

  /** For tests: {@code quietMillis} is the quiet period a read waits for. */
  ArchaiusAuthoritySource(String prefix, AbstractConfiguration configuration, long quietMillis) {
    this.prefix = checkedPrefix(prefix);
    this.configuration = Objects.requireNonNull(configuration, "configuration");
    this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
    this.lastChangeNanos = System.nanoTime() - quietNanos;
  }

  private static String checkedPrefix(String prefix) {
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException("The prefix of the authority document's Archaius properties must not be "
          + "empty (for example " + DEFAULT_PREFIX + ")");
    }
    return prefix.trim();
  }

  /**
   * Takes the prefix from {@value #PREFIX_CONFIG}, when set; call before the first read.
   *
   * @throws ConfigException naming {@value #PREFIX_CONFIG} when its value is blank or not a string
   */
  @Override
  public void configure(Map<String, ?> configs) {
    Object value = configs.get(PREFIX_CONFIG);
    if (value == null) {
      return;
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw new ConfigException(PREFIX_CONFIG, value, "must be the prefix of the Archaius properties that hold "
          + "the authority document, for example " + DEFAULT_PREFIX + " (the default)");
    }
    this.prefix = text.trim();
  }

  /** The prefix of the document's properties. */
  public String prefix() {
    return prefix;
  }

  /**
   * The properties under the prefix, the prefix stripped from their names.
   *
   * @throws IllegalStateException when no property has the prefix, or the properties under it kept changing for
   *     {@value #MAX_QUIET_PERIODS} quiet periods
   * @throws InterruptedIOException when interrupted while waiting for the properties to be quiet
   */
  @Override
  public Map<String, String> read() throws InterruptedIOException {
    listen();
    String under = prefix;
    long deadline = System.nanoTime() + MAX_QUIET_PERIODS * quietNanos;
    while (true) {
      long seen = changes.get();
      long now = System.nanoTime();
      long wait = quietNanos - (now - lastChangeNanos);
      if (now - deadline > 0 || (wait > 0 && now + wait - deadline > 0)) {
        throw new IllegalStateException("the Archaius properties under '" + under + "' kept changing for "
            + MAX_QUIET_PERIODS * TimeUnit.NANOSECONDS.toMillis(quietNanos) + " ms; they are read again at the "
            + "next change or refresh");
      }
      if (wait > 0) {
        pause(wait);
        continue;
      }
      Map<String, String> document = snapshot(under);
      if (changes.get() == seen) {
        changesAtLastRead = seen;
        if (document.isEmpty()) {
          throw new IllegalStateException("no Archaius property starts with '" + under + "': set the keys of the "
              + "authority document as properties " + under + "epoch, " + under + "source... or set " + PREFIX_CONFIG
              + " to the prefix they have");
        }
        return document;
      }
    }
  }

  private static void pause(long nanos) throws InterruptedIOException {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the Archaius properties to be quiet");
    }
  }

  /** The properties under {@code under} now, retried when the configuration changed while they were listed. */
  private Map<String, String> snapshot(String under) {
    for (int attempt = 1; ; attempt++) {
      try {
        Map<String, String> document = new TreeMap<>();
        Iterator<String> keys = configuration.getKeys();
        while (keys.hasNext()) {
          String key = keys.next();
          if (key.startsWith(under) && key.length() > under.length()) {
            String value = text(configuration.getProperty(key));
            if (value != null) {
              document.put(key.substring(under.length()), value);
            }
          }
        }
        return document;
      } catch (ConcurrentModificationException e) {
        if (attempt == 3) {
          throw e; // a configuration that is not thread-safe and changes all the time: the read fails
        }
      }
    }
  }

  /** A raw property value as the document's text: a list Archaius split at commas is joined again. */
  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Collection<?> parts) {
      StringJoiner joined = new StringJoiner(",");
      parts.forEach(part -> joined.add(String.valueOf(part)));
      return joined.toString();
    }
    return value.toString();
  }

  /**
   * Calls {@code changed} on every change of a property under the prefix (on the thread that changed it), and at
   * once when one changed since the last read.
   */
  @Override
  public void onChange(Runnable changed) {
    Objects.requireNonNull(changed, "changed");
    synchronized (this) {
      if (closed) {
        return;
      }
      callbacks.add(changed);
    }
    listen();
    if (changes.get() != changesAtLastRead) {
      changed.run();
    }
  }

  private synchronized void listen() {
    if (listening || closed) {
      return;
    }
    configuration.addConfigurationListener(listener);
    listening = true;
  }

  /** {@code archaius properties under <prefix>}. */
  @Override
  public String description() {
    return "archaius properties under " + prefix;
  }

  /** Removes the configuration listener; no callback is called afterwards. */
  @Override
  public synchronized void close() {
    closed = true;
    callbacks.clear();
    if (listening) {
      configuration.removeConfigurationListener(listener);
      listening = false;
    }
  }

  /** Whether this source's listener is registered with the configuration (for tests). */
  boolean listening() {
    return configuration.getConfigurationListeners().contains(listener);
  }

  private final class Listener implements ConfigurationListener {

    /**
     * A change under the prefix, or one without a property name (the whole configuration cleared or reloaded, a
     * source added or removed), is news. commons-configuration reports each change twice, before and after: only
     * the after counts. A poll of a {@link DynamicConfiguration} is reported around its property changes, on every
     * poll: the property changes count, the poll does not.
     */
    @Override
    public void configurationChanged(ConfigurationEvent event) {
      if (event.isBeforeUpdate()) {
        return;
      }
      String name = event.getPropertyName();
      boolean news = name == null ? event.getType() != DynamicConfiguration.EVENT_RELOAD : name.startsWith(prefix);
      if (!news) {
        return;
      }
      lastChangeNanos = System.nanoTime();
      changes.incrementAndGet();
      for (Runnable callback : callbacks) {
        try {
          callback.run();
        } catch (RuntimeException e) {
          log.warn("The change callback of {} failed; the change is read at the next refresh", description(), e);
        }
      }
    }
  }
}
