package dev.turnout.cli.gate;

/** The verdict of one gate line. */
public enum Status {
  /** The evidence holds. */
  GREEN,
  /** The evidence says the move is not safe yet; the gate exits 1. */
  RED,
  /** Not evaluated (an input is missing, or the cluster cannot show it), or a number without a threshold. */
  GREY
}
