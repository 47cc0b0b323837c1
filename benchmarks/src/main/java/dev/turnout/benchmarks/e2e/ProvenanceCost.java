package dev.turnout.benchmarks.e2e;

import dev.turnout.benchmarks.report.Format;
import dev.turnout.benchmarks.report.MarkdownTable;
import dev.turnout.benchmarks.report.Stats;
import dev.turnout.benchmarks.workload.HeaderEncoding;
import dev.turnout.benchmarks.workload.Payloads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What provenance headers cost a raw KafkaProducer, independent of routing: the same producer with no headers,
 * Turnout's two headers, and two leaner candidate encodings, with and without compression, for 100 B and
 * 1 KiB values, in interleaved rounds. CPU time per record is split into client threads and broker threads to
 * show where the cost lands when the broker shares the machine.
 */
public final class ProvenanceCost {

  /**
   * @param rounds rounds (new producers and topics each)
   * @param warmup warmup of each round and cell, the producers taking turns
   * @param settle start of each turn, not counted
   * @param slice measured part of each turn
   * @param cycles turns of each producer per round and cell
   * @param partitions partitions of every topic
   * @param valueSizes value sizes in bytes
   * @param compressions compression types, e.g. {@code none} and {@code lz4}
   */
  public record Settings(int rounds, Duration warmup, Duration settle, Duration slice, int cycles, int partitions,
      List<Integer> valueSizes, List<String> compressions) {}

  /** One cell of the matrix: value size and compression. */
  public record Cell(int valueSize, String compression) {}

  /** Per cell and encoding, one throughput measurement per round. */
  public record Results(Map<Cell, Map<HeaderEncoding, List<Measurements.Throughput>>> cells, Settings settings) {

    Stats recordsPerSecond(Cell cell, HeaderEncoding encoding) {
      return Stats.of(cells.get(cell).get(encoding).stream().map(Measurements.Throughput::recordsPerSecond).toList());
    }

    /** Per-round ratio of {@code encoding}'s throughput to no headers in the same round. */
    Stats ratioToNone(Cell cell, HeaderEncoding encoding) {
      List<Measurements.Throughput> none = cells.get(cell).get(HeaderEncoding.NONE);
      List<Measurements.Throughput> other = cells.get(cell).get(encoding);
      double[] ratios = new double[Math.min(none.size(), other.size())];
      for (int r = 0; r < ratios.length; r++) {
        ratios[r] = other.get(r).recordsPerSecond() / none.get(r).recordsPerSecond();
      }
      return Stats.of(ratios);
    }

    double medianOf(Cell cell, HeaderEncoding encoding, java.util.function.ToDoubleFunction<Measurements.Throughput> f) {
      return Stats.of(cells.get(cell).get(encoding).stream().mapToDouble(f).toArray()).median();
    }
  }

  private final BenchBroker broker;
  private final Settings settings;
  private final Consumer<String> progress;

  public ProvenanceCost(BenchBroker broker, Settings settings, Consumer<String> progress) {
    this.broker = broker;
    this.settings = settings;
    this.progress = progress;
  }

  /** Runs every round: rounds x sizes x compressions x encodings measurements. */
  public Results run() {
    Map<Cell, Map<HeaderEncoding, List<Measurements.Throughput>>> cells = new LinkedHashMap<>();
    for (int size : settings.valueSizes()) {
      for (String compression : settings.compressions()) {
        Map<HeaderEncoding, List<Measurements.Throughput>> byEncoding = new EnumMap<>(HeaderEncoding.class);
        for (HeaderEncoding e : HeaderEncoding.values()) {
          byEncoding.put(e, new ArrayList<>());
        }
        cells.put(new Cell(size, compression), byEncoding);
      }
    }
    List<HeaderEncoding> encodings = List.of(HeaderEncoding.values());
    int clientSeq = 0;
    // One discarded round per cell first, so that no encoding is measured on a cold JVM.
    for (Cell cell : cells.keySet()) {
      measureCell(cell, encodings, new Payloads(cell.valueSize(), 4096, cell.valueSize()), "prov-warmup-", clientSeq, 1);
      clientSeq += encodings.size();
    }
    for (int round = 0; round < settings.rounds(); round++) {
      for (Cell cell : cells.keySet()) {
        Payloads payloads = new Payloads(cell.valueSize(), 4096, 31L * cell.valueSize() + round);
        List<Measurements.Throughput> results = measureCell(cell, encodings, payloads, "prov-", clientSeq,
            settings.cycles());
        clientSeq += encodings.size();
        StringBuilder line = new StringBuilder(String.format("provenance round %d, %d B, %s:", round + 1,
            cell.valueSize(), cell.compression()));
        for (int i = 0; i < encodings.size(); i++) {
          cells.get(cell).get(encodings.get(i)).add(results.get(i));
          line.append(String.format(" %s %,.0f records/s;", encodings.get(i).description(),
              results.get(i).recordsPerSecond()));
        }
        progress.accept(line.toString());
      }
    }
    return new Results(cells, settings);
  }

  /** One round of a cell: a raw producer per encoding; results in the order of {@code encodings}. */
  private List<Measurements.Throughput> measureCell(Cell cell, List<HeaderEncoding> encodings, Payloads payloads,
      String clientPrefix, int firstClient, int cycles) {
    List<Variant> variants = encodings.stream()
        .map(e -> Variant.raw(e.name(), broker.bootstrapServers(), e)).toList();
    return Measurements.interleavedRound(broker, variants, cell.compression(), payloads, settings.partitions(),
        clientPrefix, firstClient, settings.warmup(), settings.settle(), settings.slice(), cycles);
  }

  /** The Markdown section: the matrix, then the client/broker split of the two headers' cost. */
  public static String render(Results results) {
    StringBuilder out = new StringBuilder();
    MarkdownTable table = new MarkdownTable("value", "compression", "encoding", "bytes added per record",
        "records/s", "vs no headers", "client CPU us/rec", "broker CPU us/rec", "GC+JIT us/rec", "compression rate");
    for (Map.Entry<Cell, Map<HeaderEncoding, List<Measurements.Throughput>>> e : results.cells().entrySet()) {
      Cell cell = e.getKey();
      for (HeaderEncoding encoding : e.getValue().keySet()) {
        table.row(ProducerComparison.size(cell.valueSize()), cell.compression(), encoding.description(),
            encoding.bytesAdded(15, cell.valueSize()), Format.count(results.recordsPerSecond(cell, encoding).median()),
            encoding == HeaderEncoding.NONE ? "-" : Format.medianRange(results.ratioToNone(cell, encoding), 3),
            Format.fixed(results.medianOf(cell, encoding, Measurements.Throughput::clientCpuMicros), 2),
            Format.fixed(results.medianOf(cell, encoding, Measurements.Throughput::brokerCpuMicros), 2),
            Format.fixed(results.medianOf(cell, encoding, Measurements.Throughput::unattributedCpuMicros), 2),
            Format.fixed(results.medianOf(cell, encoding, Measurements.Throughput::compressionRate), 2));
      }
    }
    out.append(table.render()).append('\n');
    out.append("Where the two headers' cost lands (medians; CPU per record, two headers minus no headers):\n\n");
    MarkdownTable split = new MarkdownTable("value", "compression", "throughput cost", "client CPU +us/rec",
        "broker CPU +us/rec", "share in client", "one header instead: cost", "id only: cost");
    for (Cell cell : results.cells().keySet()) {
      double client = results.medianOf(cell, HeaderEncoding.TWO_HEADERS, Measurements.Throughput::clientCpuMicros)
          - results.medianOf(cell, HeaderEncoding.NONE, Measurements.Throughput::clientCpuMicros);
      double brokerCpu = results.medianOf(cell, HeaderEncoding.TWO_HEADERS, Measurements.Throughput::brokerCpuMicros)
          - results.medianOf(cell, HeaderEncoding.NONE, Measurements.Throughput::brokerCpuMicros);
      double total = Math.max(0, client) + Math.max(0, brokerCpu);
      split.row(ProducerComparison.size(cell.valueSize()), cell.compression(),
          cost(results.ratioToNone(cell, HeaderEncoding.TWO_HEADERS)), Format.fixed(client, 2),
          Format.fixed(brokerCpu, 2), total > 0 ? Format.fixed(100 * Math.max(0, client) / total, 0) + "%" : "n/a",
          cost(results.ratioToNone(cell, HeaderEncoding.ONE_HEADER)),
          cost(results.ratioToNone(cell, HeaderEncoding.ID_ONLY)));
    }
    out.append(split.render());
    return out.toString();
  }

  /** A throughput ratio as a cost: {@code 0.68} is {@code 32%}. */
  static String cost(Stats ratio) {
    if (ratio.isEmpty()) {
      return "n/a";
    }
    return Format.fixed(100 * (1 - ratio.median()), 1) + "% (" + Format.fixed(100 * (1 - ratio.max()), 1) + " to "
        + Format.fixed(100 * (1 - ratio.min()), 1) + ")";
  }
}
