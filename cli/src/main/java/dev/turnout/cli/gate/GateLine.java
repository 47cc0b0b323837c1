package dev.turnout.cli.gate;

import java.util.Objects;

/**
 * One line of the readiness checklist.
 *
 * @param group the check that produced it ({@code replication}, {@code fleet}, ...)
 * @param name what it is about, e.g. {@code lag orders}
 * @param status the verdict
 * @param live the live number or value measured, {@code -} when none
 * @param threshold the threshold it was held to, {@code -} when none
 * @param detail why, or what was found; empty when the numbers say everything
 */
public record GateLine(String group, String name, Status status, String live, String threshold, String detail) {

  public GateLine {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    live = live == null ? "-" : live;
    threshold = threshold == null ? "-" : threshold;
    detail = detail == null ? "" : detail;
  }

  /** A line that could not be evaluated, saying why. */
  public static GateLine grey(String group, String name, String why) {
    return new GateLine(group, name, Status.GREY, "-", "-", why);
  }

  /** A line whose verdict is {@code ok ? GREEN : RED}. */
  public static GateLine of(String group, String name, boolean ok, String live, String threshold, String detail) {
    return new GateLine(group, name, ok ? Status.GREEN : Status.RED, live, threshold, detail);
  }
}
