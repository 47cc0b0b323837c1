/**
 * The drills' load: the sending loop of routing producers ({@link dev.turnout.drill.load.ProducerLoop}) and the
 * polling loop of a consumer group ({@link dev.turnout.drill.load.ConsumerLoop}) that both drills run, the main
 * drill's producer service ({@link dev.turnout.drill.load.ProducerService}) sending keyed, sequenced records and its
 * consumer group ({@link dev.turnout.drill.load.ConsumerService}), the routing clients' settings
 * ({@link dev.turnout.drill.load.ClientSettings}), the journals of every send outcome and every processed record,
 * and the final read of what each cluster holds ({@link dev.turnout.drill.load.ClusterDump}).
 */
package dev.turnout.drill.load;
