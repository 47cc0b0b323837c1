package dev.turnout.spring.autoconfigure;

import dev.turnout.source.AuthoritySource;
import java.util.Map;
import java.util.Objects;

/**
 * One authority source shared by every client of the application (and by the monitor): reads are serialized
 * because sources need only support one reader thread, and closing a client does not close the source,
 * whose lifecycle belongs to the application context.
 */
final class SharedAuthoritySource implements AuthoritySource {

  private final AuthoritySource delegate;

  SharedAuthoritySource(AuthoritySource delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  AuthoritySource delegate() {
    return delegate;
  }

  @Override
  public Map<String, String> read() throws Exception {
    synchronized (delegate) {
      return delegate.read();
    }
  }

  @Override
  public void onChange(Runnable changed) {
    delegate.onChange(changed);
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public void close() {
    // The application context closes the source bean.
  }

  @Override
  public String toString() {
    return description();
  }
}
