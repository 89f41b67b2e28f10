namespace Serve;

/// <summary>Event ids of every Serve log message, in one place.</summary>
internal static class ServeEvents
{
    // Routing: 1000s
    public const int BackPressure = 1001;
    public const int ReplicaUnreachable = 1002;
    public const int ReplicaSetChanged = 1003;
    public const int WatchFailed = 1004;
    public const int DeploymentUnavailable = 1005;
    public const int RouterRemoved = 1006;
    public const int ReplicaRefusedExchange = 1007;
    public const int ReplicaSetApplyFailed = 1008;
    public const int WatchRecovered = 1009;

    // Data plane (direct exchanges between silos): 1100s
    public const int ExchangeConnected = 1101;
    public const int ExchangeUnreachable = 1102;
    public const int ExchangeStillUnreachable = 1103;
    public const int ExchangeConnectionClosed = 1104;
    public const int ExchangeSent = 1105;
    public const int ExchangeChannelCallFailed = 1106;
    public const int ExchangeChannelCall = 1107;
    public const int ExchangeUnresponsive = 1108;
    public const int ExchangeAnswersAgain = 1109;
    public const int ExchangeListening = 1110;
    public const int ExchangeAccepted = 1111;
    public const int ExchangeRefused = 1112;
    // 1113 (a frame over the limit, an Error per connection) is retired: such a close is a refusal (1112, 1116, 1117).
    public const int ExchangeCallServed = 1114;
    public const int ExchangeReplyTooLarge = 1115;
    public const int ExchangeRefusedSummary = 1116;
    public const int ExchangeRefusedAgain = 1117;
    public const int ExchangeCallFull = 1118;
    public const int ExchangeChannelCallFailedAgain = 1119;
    public const int ExchangeAnswerStreamed = 1120;

    // Replicas: 2000s
    public const int ReplicaStarted = 2001;
    public const int ReplicaStartFailed = 2002;
    public const int ReplicaStopped = 2003;
    public const int ReplicaReconfigured = 2004;
    public const int ReplicaCallFailed = 2005;
    public const int ReplicaDrainTimedOut = 2006;
    public const int ModelDisposeFailed = 2007;
    public const int ModelsReportFailed = 2008;
    public const int ReplicaStartCancelled = 2009;
    public const int ReplicaStartLeftBehind = 2010;
    public const int HandlerFailed = 2011;
    public const int ReplicaOtherBuild = 2012;
    public const int IngressBadRequest = 2050;
    public const int IngressNotFound = 2051;

    // Deployments: 3000s
    public const int DeploymentApplied = 3001;
    public const int DeploymentFailed = 3002;
    public const int HealthCheckFailed = 3003;
    public const int ReplicaReplaced = 3004;
    public const int DeploymentDeleted = 3005;
    public const int ReplicasLostWithSilo = 3006;
    public const int DeploymentStateWriteFailed = 3007;
    public const int DeploymentStateConflict = 3008;
    public const int ReplicaReconfigureFailed = 3009;
    public const int DeploymentWorkFailed = 3010;
    public const int SiloDraining = 3011;
    public const int SiloDrainTimedOut = 3012;
    public const int DeploymentShrinks = 3013;
    public const int ReplicaStartCallOffFailed = 3014;
    public const int DeploymentWaitsForSilo = 3015;
    public const int SiloDrainShrinks = 3016;
    public const int DeploymentRetried = 3017;

    // Controller: 4000s
    public const int ApplicationDeployed = 4001;
    public const int ApplicationDeleted = 4002;
    public const int ApplicationRestored = 4003;
    public const int ControllerStateWriteFailed = 4004;
    public const int ApplicationDeployWarning = 4005;
    public const int ApplicationDeleteRetried = 4006;
    public const int ApplicationDeleteResumed = 4007;
    public const int ControllerActivated = 4008;
    public const int ApplicationDeleteFailed = 4009;
    public const int DroppedDeploymentsResumed = 4010;
    public const int DroppedDeploymentsDeleteFailed = 4011;
    public const int RouteVersionRaised = 4012;
    public const int FailedDeploymentsRetried = 4013;

    // Autoscaling: 6000s
    public const int AutoscalingDecision = 6001;
    public const int AutoscalingFailed = 6002;

    // Gateway: 5000s
    public const int RoutesChanged = 5001;
    public const int RoutesWatchFailed = 5002;
    public const int RequestForwarded = 5003;
    public const int RequestFailed = 5004;
    public const int ClientDisconnected = 5005;
    public const int GatewayListening = 5006;
    public const int GatewayFailure = 5007;
    public const int RequestBodyOverBudget = 5008;
    public const int RequestBodyRejected = 5009;
    public const int GrpcCallAnswered = 5010;
    public const int GrpcCallUnrouted = 5011;
    public const int RoutesApplyFailed = 5012;
    public const int ResponseRefused = 5013;
    public const int RoutesWatchRecovered = 5014;
    public const int StreamIdleEnded = 5015;
    public const int WebSocketAccepted = 5030;
    public const int WebSocketClosed = 5031;

    // Config files and the admin API: 7000s
    public const int ConfigApplied = 7001;
    public const int AdminListening = 7002;
    public const int AdminUnauthorized = 7003;
    public const int AdminForbidden = 7004;
    public const int AdminAuthThrottled = 7005;
    public const int AdminClusterUnavailable = 7006;
    public const int DashboardLogin = 7010;
    public const int DashboardLoginFailed = 7011;

    // Worker hosting and cluster: 8000s
    public const int WorkerStarted = 8001;
    public const int DeploymentAssemblyLoaded = 8002;
    public const int ReplicaUnplaceable = 8003;
    public const int SiloFull = 8010;
    public const int SiloLedgerUnreadable = 8011;
    public const int ClusterPeerRefused = 8020;
    public const int ClusterInsecure = 8021;
    public const int ReplicaSpecRefused = 8022;
    public const int ClusterPeerRefusedSummary = 8023;
    public const int ClusterPeerRefusedAgain = 8024;
    public const int ClusterUnreachable = 8025;
    public const int ClusterConnected = 8026;
    public const int ClusterConnectionLost = 8027;
    public const int ClusterReconnected = 8028;
    public const int MallocTuned = 8030;
    public const int MallocLeftAlone = 8031;
    public const int MallocNotGlibc = 8032;
    public const int MallocTuningRefused = 8033;

    // Telemetry, access log and HTTP connections: 9000s
    public const int TelemetryListening = 9001;
    public const int RequestAnswered = 9002;
    public const int HttpConnectionRefused = 9003;
    public const int HttpConnectionRefusedAgain = 9004;
    public const int HttpConnectionRefusedSummary = 9005;
    public const int HttpConnectionsFitOpenFiles = 9006;
    public const int KestrelLinesFolded = 9010;
}
