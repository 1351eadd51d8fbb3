namespace Predictions.Worker.Lanes;

/// <summary>Names this worker process in result events and audit rows.</summary>
public sealed record WorkerIdentity(string Name)
{
    public static WorkerIdentity ForThisProcess() => new($"{Environment.MachineName}/{Environment.ProcessId}");
}
