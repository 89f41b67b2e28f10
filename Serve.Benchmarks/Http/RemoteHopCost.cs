namespace Serve.Benchmarks.Http;

/// <summary>
/// The worker silo's share of one remote-row request: its CPU, and the bytes and TCP segments its connections received
/// (the gateway's request messages) and sent (the replica's answers), and its threads' context switches. The gateway's share is the row's CPU less the worker's.
/// </summary>
internal sealed record RemoteHopCost(double WorkerCpuMicros, double ReceivedBytes, double SentBytes, double SegmentsIn, double SegmentsOut, double WorkerSwitches);
