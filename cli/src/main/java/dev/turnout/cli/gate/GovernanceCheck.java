package dev.turnout.cli.gate;

import dev.turnout.fleet.InstanceStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who the fleet is on each cluster (the principals of the instances' statuses) and whether the target grants
 * what the source grants on the rule's topics and groups: every ACL binding matching a topic or group on the
 * source (principal, operation, permission) must have its like on the target. A cluster without an authorizer
 * cannot show ACLs: its lines are grey.
 */
public final class GovernanceCheck implements GateCheck {

  static final String GROUP = "governance";

  @Override
  public String group() {
    return GROUP;
  }

  @Override
  public List<GateLine> evaluate(GateContext c) throws Exception {
    List<GateLine> lines = new ArrayList<>();
    lines.add(principals(c));
    Map<String, ResourcePatternFilter> resources = new TreeMap<>();
    for (String topic : c.topics()) {
      resources.put("topic " + topic, new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.MATCH));
    }
    for (String group : c.consumerGroups()) {
      resources.put("group " + group, new ResourcePatternFilter(ResourceType.GROUP, group, PatternType.MATCH));
    }
    for (Map.Entry<String, ResourcePatternFilter> r : resources.entrySet()) {
      String name = "acls " + r.getKey();
      Set<String> onSource = grants(c.source(), r.getValue());
      Set<String> onTarget = grants(c.target(), r.getValue());
      if (onSource == null || onTarget == null) {
        lines.add(GateLine.grey(GROUP, name, "no authorizer on "
            + (onSource == null ? c.source().alias() : c.target().alias()) + " (SecurityDisabledException): "
            + "its ACLs cannot be compared"));
        continue;
      }
      Set<String> missing = new TreeSet<>(onSource);
      missing.removeAll(onTarget);
      lines.add(GateLine.of(GROUP, name, missing.isEmpty(), (onSource.size() - missing.size()) + "/"
          + onSource.size() + " on " + c.target().alias(), "all of " + c.source().alias(),
          missing.isEmpty() ? "" : "missing on " + c.target().alias() + ": " + Format.list(missing)));
    }
    return lines;
  }

  private static GateLine principals(GateContext c) {
    if (c.fleet().view() == null) {
      return GateLine.grey(GROUP, "principals", "no fleet status (" + c.fleet().missing() + ")");
    }
    Map<String, Set<String>> byCluster = new TreeMap<>();
    for (InstanceStatus i : c.fleet().view().instances()) {
      i.principals().forEach((alias, p) -> byCluster.computeIfAbsent(alias, a -> new TreeSet<>()).add(p));
    }
    List<String> parts = new ArrayList<>();
    byCluster.forEach((alias, ps) -> parts.add(alias + ": " + String.join(" ", ps)));
    return new GateLine(GROUP, "principals", Status.GREY, String.valueOf(count(byCluster.values())), "-",
        parts.isEmpty() ? "no instance reports a principal" : String.join("; ", parts));
  }

  /** {@code principal operation permission} of each binding matching the resource; {@code null} without ACLs. */
  private static Set<String> grants(Cluster cluster, ResourcePatternFilter resource) throws Exception {
    Collection<AclBinding> bindings;
    try {
      bindings = cluster.get(cluster.admin().describeAcls(new AclBindingFilter(resource, AccessControlEntryFilter.ANY))
          .values());
    } catch (SecurityDisabledException e) {
      return null;
    }
    Set<String> out = new TreeSet<>();
    for (AclBinding b : bindings) {
      out.add(b.entry().principal() + " " + b.entry().operation() + " " + b.entry().permissionType());
    }
    return out;
  }

  private static int count(Collection<Set<String>> sets) {
    Set<String> all = new TreeSet<>();
    sets.forEach(all::addAll);
    return all.size();
  }
}
