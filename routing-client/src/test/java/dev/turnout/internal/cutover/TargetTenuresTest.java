package dev.turnout.internal.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.authority.AuthorityMap;
import org.junit.jupiter.api.Test;

/** Since when a slice is on its rule's target, as a rollback's scope names it. */
class TargetTenuresTest {

  @Test
  void aTenureThisProducerSawBeginCarriesTheTimeItInstalledThePromotion() {
    TargetTenures tenures = new TargetTenures();
    long beforeLoad = System.currentTimeMillis();
    tenures.install(Maps.split(1, 0)); // MIRROR: nothing on the target
    long beforePromotion = System.currentTimeMillis();
    tenures.install(Maps.split(2, 1000)); // slice a promoted
    long afterPromotion = System.currentTimeMillis();
    TargetTenures.Snapshot before = tenures.install(Maps.split(3, 0)); // rolled back
    assertThat(before.fromEpoch("r", "a", -1)).isEqualTo(2);
    assertThat(before.sinceMillis("r", "a")).isBetween(beforePromotion, afterPromotion);
    assertThat(before.loadedMillis()).isBetween(beforeLoad, beforePromotion);
    assertThat(before.sinceMillis("r", "b")).isEqualTo(-1);
  }

  @Test
  void aTenureThatBeganBeforeTheFirstMapHasNoKnownStart() {
    TargetTenures tenures = new TargetTenures();
    tenures.install(Maps.split(5, AuthorityMap.BUCKETS)); // TARGET_AUTHORITY already when loaded
    TargetTenures.Snapshot before = tenures.install(Maps.split(6, 0));
    assertThat(before.fromEpoch("r", null, -1)).isEqualTo(5);
    assertThat(before.sinceMillis("r", null)).isEqualTo(-1);
    assertThat(before.loadedMillis()).isPositive();
  }
}
