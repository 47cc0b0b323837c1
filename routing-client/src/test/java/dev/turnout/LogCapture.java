package dev.turnout;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

/** Collects the log lines of {@code dev.turnout} loggers ("LEVEL message") while open. */
public final class LogCapture implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender;

  public LogCapture() {
    appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getLoggerName().startsWith("dev.turnout")) {
          lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
      }
    };
    appender.start();
    Configuration configuration = context.getConfiguration();
    configuration.getRootLogger().addAppender(appender, null, null);
    context.updateLoggers();
  }

  /** Every line so far, "LEVEL message". */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines of one level that contain {@code text}. */
  public List<String> lines(String level, String text) {
    return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(text)).toList();
  }

  @Override
  public void close() {
    context.getConfiguration().getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
