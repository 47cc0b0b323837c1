package dev.turnout.drill.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.MigrationState;
import dev.turnout.drill.load.Processed;
import dev.turnout.drill.load.SendOutcome;
import dev.turnout.drill.plan.Flip;
import dev.turnout.drill.plan.Step;
import java.awt.BasicStroke;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.Test;

/** What the timeline marks: flips, the seconds a barrier held sends, and each member's read switch. */
class TimelineChartTest {

  private static SendOutcome send(long sentMillis, boolean duringBarrier) {
    return new SendOutcome("k", sentMillis, 0, duringBarrier, sentMillis, 1_000, "source", 0, sentMillis, null);
  }

  @Test
  void flipsBarrierPausesAndReadSwitchesAreMarked() {
    List<Step> steps = List.of(Step.of(MigrationState.MIRROR), Step.of(MigrationState.TARGET_AUTHORITY));
    List<SendOutcome> sends = List.of(send(500, false), send(3_100, true), send(3_900, true), send(4_200, true),
        send(7_000, true), send(9_000, false));
    List<Processed> processed = List.of(
        new Processed(0, 0, 1_000, "k", 0, "source", 0, 0, "a"),
        new Processed(1, 1, 1_100, "k", 1, "source", 1, 0, "b"),
        new Processed(2, 0, 5_500, "k", 2, "target", 0, 1, "c"),
        new Processed(3, 0, 6_000, "k", 3, "target", 0, 2, "d"),
        new Processed(4, 1, 6_500, "k", 4, "target", 1, 1, "e"));
    List<Flip> flips = List.of(new Flip(1, steps.get(1), 2, false, 3_000, 80, -1, ""));
    DrillRun run = new DrillRun(Instant.EPOCH, 10_000, Map.of(), steps, flips, sends, processed, List.of(), 2, 0,
        List.of());

    XYPlot plot = TimelineChart.chart(run).getXYPlot();

    List<IntervalMarker> pauses = new ArrayList<>();
    markers(plot.getDomainMarkers(Layer.BACKGROUND)).forEach(m -> pauses.add((IntervalMarker) m));
    assertThat(pauses).extracting(IntervalMarker::getStartValue, IntervalMarker::getEndValue)
        .as("seconds 3-4 together, second 7 alone")
        .containsExactly(org.assertj.core.groups.Tuple.tuple(3.0, 5.0), org.assertj.core.groups.Tuple.tuple(7.0, 8.0));
    List<ValueMarker> lines = new ArrayList<>();
    markers(plot.getDomainMarkers(Layer.FOREGROUND)).forEach(m -> lines.add((ValueMarker) m));
    assertThat(lines).filteredOn(m -> m.getLabel() != null).extracting(ValueMarker::getValue).containsExactly(3.0);
    assertThat(lines).filteredOn(m -> ((BasicStroke) m.getStroke()).getDashArray() != null)
        .extracting(ValueMarker::getValue).as("member 0 at 5.5 s, member 1 at 6.5 s").containsExactly(5.5, 6.5);
  }

  private static Collection<Marker> markers(Collection<?> markers) {
    List<Marker> out = new ArrayList<>();
    if (markers != null) {
      markers.forEach(m -> out.add((Marker) m));
    }
    return out;
  }
}
