/**
 * The drill's load: the producer service ({@link dev.turnout.drill.load.ProducerService}) sending keyed, sequenced
 * records through {@code RoutingProducer}s, the consumer group ({@link dev.turnout.drill.load.ConsumerService}) of
 * {@code RoutingConsumer}s, the journals of every send outcome and every processed record, and the final read of
 * what each cluster holds ({@link dev.turnout.drill.load.ClusterDump}).
 */
package dev.turnout.drill.load;
