/**
 * Reading the fleet's status topic ({@code turnout.status.topic}): {@link dev.turnout.fleet.FleetStatusReader}
 * reads every client instance's latest status record into an immutable {@link dev.turnout.fleet.FleetView}
 * of {@link dev.turnout.fleet.InstanceStatus}es, for tools that check that a fleet acknowledged an epoch
 * (which instances route by which epoch, which are stale, which lag behind). See docs/control-plane.md.
 */
package dev.turnout.fleet;
