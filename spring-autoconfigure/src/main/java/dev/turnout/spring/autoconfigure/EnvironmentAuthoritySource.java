package dev.turnout.spring.autoconfigure;

import dev.turnout.source.AuthoritySource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * Reads the authority document from the Spring {@link Environment}, under {@code turnout.authority.*} in the
 * structure of the document ({@code epoch}, {@code source}, {@code target}, {@code rule.<name>.*}), bound
 * afresh on every read so that a changed property source takes effect at the next refresh.
 *
 * <p>Values are handed to the core unvalidated, so the core's validation applies unchanged: an invalid
 * document is rejected whole with its problems listed and the map in force stays in force. A key under
 * {@code turnout.authority} that is neither a setting nor part of the document is passed on as an unknown
 * document key, so the document is rejected with {@code UNKNOWN_KEY} instead of the typo being ignored.
 *
 * <p>The Environment can change while the document is read (a configuration refresh replacing a property
 * source): a read is repeated until two consecutive reads agree, so a document that is half the old one and
 * half the new one (for example the old epoch with new rules) is never returned. A document kept changing
 * throughout {@value #MAX_READS} reads fails the read; the map in force stays and the next refresh reads
 * again.
 */
final class EnvironmentAuthoritySource implements AuthoritySource {

  static final String PREFIX = "turnout.authority";
  /** Reads of one {@link #read()} at most, looking for two consecutive reads that agree. */
  static final int MAX_READS = 5;
  private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);

  private final Environment environment;

  EnvironmentAuthoritySource(Environment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Override
  public synchronized Map<String, String> read() {
    Map<String, String> previous = readOnce();
    for (int read = 2; read <= MAX_READS; read++) {
      Map<String, String> current = readOnce();
      if (current.equals(previous)) {
        return current;
      }
      previous = current;
    }
    throw new IllegalStateException("The Environment changed during each of " + MAX_READS + " reads of "
        + PREFIX + ".*; the map in force stays and the next refresh reads again. Change the document (its epoch "
        + "and content) in one property source update.");
  }

  private Map<String, String> readOnce() {
    Binder binder = Binder.get(environment);
    Map<String, String> unknown = new LinkedHashMap<>();
    TurnoutProperties.Authority authority;
    try {
      authority = binder.bind(PREFIX, Bindable.of(TurnoutProperties.Authority.class),
          new NoUnboundElementsBindHandler(BindHandler.DEFAULT)).orElseGet(TurnoutProperties.Authority::new);
    } catch (BindException e) {
      if (!(e.getCause() instanceof UnboundConfigurationPropertiesException unbound)) {
        throw e;
      }
      for (ConfigurationProperty property : unbound.getUnboundProperties()) {
        unknown.put(relative(property.getName()), String.valueOf(property.getValue()));
      }
      authority = binder.bind(PREFIX, TurnoutProperties.Authority.class).orElseGet(TurnoutProperties.Authority::new);
    }
    Map<String, String> document = toDocument(authority);
    document.putAll(unknown);
    return document;
  }

  /** The flat authority document held by bound properties (keys that are not set are left out). */
  static Map<String, String> toDocument(TurnoutProperties.Authority authority) {
    Map<String, String> doc = new LinkedHashMap<>();
    put(doc, "epoch", authority.getEpoch());
    put(doc, "source", authority.getSource());
    put(doc, "target", authority.getTarget());
    authority.getRule().forEach((name, rule) -> {
      String prefix = "rule." + name + ".";
      put(doc, prefix + "topics", join(rule.getTopics()));
      put(doc, prefix + "topic-prefix", join(rule.getTopicPrefix()));
      put(doc, prefix + "state", rule.getState());
      put(doc, prefix + "source", rule.getSource());
      put(doc, prefix + "target", rule.getTarget());
      put(doc, prefix + "null-key-owner", rule.getNullKeyOwner());
      rule.getSlice().forEach((sliceName, slice) -> {
        put(doc, prefix + "slice." + sliceName + ".keys", join(slice.getKeys()));
        put(doc, prefix + "slice." + sliceName + ".owner", slice.getOwner());
      });
    });
    return doc;
  }

  private static void put(Map<String, String> doc, String key, String value) {
    if (value != null) {
      doc.put(key, value);
    }
  }

  private static String join(List<String> values) {
    return values == null || values.isEmpty() ? null : String.join(",", values);
  }

  private static String relative(ConfigurationPropertyName name) {
    return ROOT.isAncestorOf(name) ? name.subName(ROOT.getNumberOfElements()).toString() : name.toString();
  }

  @Override
  public String description() {
    return "Spring Environment " + PREFIX + ".*";
  }

  @Override
  public String toString() {
    return description();
  }
}
