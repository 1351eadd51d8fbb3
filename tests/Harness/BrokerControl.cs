namespace Predictions.Harness;

/// <summary>
/// Outages on demand, for a broker the tests started themselves: the RabbitMQ application stopped and
/// started inside its node (<c>rabbitmqctl stop_app</c> / <c>start_app</c>), or the whole node restarted.
/// </summary>
public sealed class BrokerControl(Func<string[], Task> rabbitmqctl, Func<Task>? restartNode)
{
    public Task StopAppAsync() => rabbitmqctl(["stop_app"]);

    public async Task StartAppAsync()
    {
        await rabbitmqctl(["start_app"]);
        await rabbitmqctl(["await_startup"]);
    }

    /// <summary>Stops the node's operating-system process and starts it again on the same data and ports.</summary>
    public Task RestartNodeAsync() =>
        restartNode?.Invoke() ?? throw new InvalidOperationException("This broker's node cannot be restarted from the tests; only a private local node can.");
}
