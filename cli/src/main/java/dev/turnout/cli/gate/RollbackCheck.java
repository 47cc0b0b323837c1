package dev.turnout.cli.gate;

import dev.turnout.authority.AuthorityMap;
import dev.turnout.authority.MigrationState;
import dev.turnout.reconcile.ReconcileException;
import dev.turnout.reconcile.ReconcilePlan;
import dev.turnout.reconcile.ReconcileRequest;
import dev.turnout.reconcile.Reconciler;
import java.util.ArrayList;
import java.util.List;

/**
 * What a rollback would cost: the target-only records of the rule (routed to the target since
 * {@code --since-epoch}) that the source lacks, from {@link Reconciler#plan}. Only for moves to
 * {@code WRITE_PROMOTION} and later; a number unless {@code --max-reconcile} is given.
 */
public final class RollbackCheck implements GateCheck {

  static final String GROUP = "rollback";

  @Override
  public String group() {
    return GROUP;
  }

  @Override
  public List<GateLine> evaluate(GateContext c) {
    if (c.next().compareTo(MigrationState.WRITE_PROMOTION) < 0) {
      return List.of();
    }
    String name = "target-only records";
    if (c.sinceEpoch().isEmpty()) {
      return List.of(GateLine.grey(GROUP, name, "no --since-epoch given (the first epoch that wrote to the target)"));
    }
    List<AuthorityMap> documents = new ArrayList<>(c.history());
    documents.add(c.document());
    ReconcileRequest.Builder request = ReconcileRequest.forRule(c.rule().name())
        .epochs(c.sinceEpoch().getAsLong(), c.document().epoch()).documents(documents);
    c.slice().ifPresent(request::slice);
    ReconcilePlan plan;
    try (Reconciler reconciler = Reconciler.builder()
        .source(c.source().alias(), c.source().config())
        .target(c.target().alias(), c.target().config())
        .requestTimeout(c.source().timeout()).build()) {
      plan = reconciler.plan(request.build());
    } catch (ReconcileException e) {
      return List.of(new GateLine(GROUP, name, Status.GREY, "-", "-", e.kind() + ": " + e.getMessage()));
    }
    String live = String.valueOf(plan.toCopy());
    String detail = plan.targetOnly() + " target-only, " + plan.alreadyOnSource() + " already on the source";
    Long max = c.thresholds().maxReconcile();
    if (max == null) {
      return List.of(new GateLine(GROUP, name, Status.GREY, live, "-", detail + " (no --max-reconcile)"));
    }
    return List.of(GateLine.of(GROUP, name, plan.toCopy() <= max, live, "<= " + max, detail));
  }
}
