namespace Predictions.Architecture.Tests;

/// <summary>The layering docs/architecture.md states, as the tests hold the code to it.</summary>
public static class LayeringRules
{
    public static readonly string[] Projects = ["Contracts", "ServiceDefaults", "Storage", "Messaging", "Gateway", "Worker"];

    /// <summary>The projects of ours each project may reference.</summary>
    public static readonly Dictionary<string, string[]> ProjectMayReference = new()
    {
        ["Contracts"] = [],
        ["ServiceDefaults"] = [],
        ["Storage"] = [],
        ["Messaging"] = ["Contracts", "ServiceDefaults"],
        ["Gateway"] = ["Contracts", "ServiceDefaults", "Messaging", "Storage"],
        ["Worker"] = ["Contracts", "ServiceDefaults", "Messaging", "Storage"],
    };

    /// <summary>
    /// The folders of its own host each folder may use. <see cref="FolderGraph.Root"/> (Program) may use any;
    /// no folder uses it, and a folder missing here is a folder nobody has placed yet.
    /// </summary>
    public static readonly Dictionary<string, Dictionary<string, string[]>> FolderMayUse = new()
    {
        ["Gateway"] = new()
        {
            // The HTTP surface stands on the features; no feature knows it.
            ["Api"] = ["Auth", "Backpressure", "Idempotency", "Publishing", "Rollouts", "Routing", "Status", "Stores", "Telemetry"],
            // The operators' HTTP surface: the rollout it changes, and the lanes it shows.
            ["Admin"] = ["Rollouts", "Routing", "Telemetry"],
            ["Auth"] = ["Telemetry"],
            ["Backpressure"] = [],
            ["Idempotency"] = ["Stores"],
            ["Publishing"] = ["Routing"],
            // The rollout state, stored beside the statuses; it knows neither HTTP surface nor routing.
            ["Rollouts"] = ["Stores", "Telemetry"],
            ["Routing"] = ["Rollouts"],
            ["Stores"] = [],
            // Rollouts only for the canary guard's figures (VersionStatistics).
            ["Status"] = ["Backpressure", "Rollouts", "Stores", "Telemetry"],
            ["Telemetry"] = [],
        },
        ["Worker"] = new()
        {
            ["Audit"] = [],
            // Crash recovery computes requests the way the pipeline does, from queues of its own.
            ["CrashRecovery"] = ["Inference", "Lanes", "Pipeline", "Telemetry"],
            ["Inference"] = ["Lanes", "Models", "Telemetry"],
            // The models a worker serves, each with its queue and its share of the pool.
            ["Lanes"] = ["Models"],
            // Only to check Model:AllowFaultInjection against the simulated source.
            ["Metadata"] = ["Models", "Telemetry"],
            ["Models"] = [],
            ["Pipeline"] = ["Inference", "Lanes", "Metadata", "Models", "Rollouts", "Telemetry"],
            ["Probes"] = [],
            // Where a request is placed and which lanes the rollout wants; a new lane's endpoints come from the root (ILaneConnector).
            ["Rollouts"] = ["Inference", "Lanes", "Models"],
            ["Telemetry"] = [],
        },
    };
}
