namespace Predictions.Harness;

/// <summary>
/// Outages on demand, for a broker the tests started themselves: the RabbitMQ application stopped and
/// started inside its node (<c>rabbitmqctl stop_app</c> / <c>start_app</c>), the whole node restarted or
/// killed, every publisher blocked by a memory alarm, or one queue that confirms nothing.
/// </summary>
public sealed class BrokerControl(Func<string[], Task<string>> rabbitmqctl, Func<Task>? restartNode, Func<Task>? killAndStartNode = null)
{
    /// <summary>What <c>rabbitmqctl</c> answers, for what the management API no longer counts on 4.x (connections' TLS, say).</summary>
    public Task<string> QueryAsync(params string[] arguments) => rabbitmqctl(["-q", .. arguments]);

    public Task StopAppAsync() => rabbitmqctl(["stop_app"]);

    public async Task StartAppAsync()
    {
        await rabbitmqctl(["start_app"]);
        await rabbitmqctl(["await_startup"]);
    }

    /// <summary>Stops the node's operating-system process and starts it again on the same data and ports.</summary>
    public Task RestartNodeAsync() =>
        restartNode?.Invoke()
            ?? throw new InvalidOperationException("This broker's node cannot be restarted from the tests; only a private local node can.");

    /// <summary>Kills the node's operating-system processes (SIGKILL, no goodbye to any client) and starts it again.</summary>
    public Task KillAndStartNodeAsync() =>
        killAndStartNode?.Invoke()
            ?? throw new InvalidOperationException("This broker's node cannot be killed from the tests; only a private local node can.");

    /// <summary>
    /// Raises the node's memory alarm: it stops reading from every publishing connection, so publishes and their
    /// confirms wait. A restart of the node clears it, as does <see cref="UnblockPublishersAsync"/>.
    /// </summary>
    public Task BlockPublishersAsync() => rabbitmqctl(["set_vm_memory_high_watermark", "0"]);

    public Task UnblockPublishersAsync() => rabbitmqctl(["set_vm_memory_high_watermark", "0.4"]);

    /// <summary>
    /// Suspends one queue's process, so messages routed to it wait unconfirmed, as they do in a quorum queue that
    /// lost its majority, until <see cref="ResumeQueueAsync"/>. The rest of the node goes on as before.
    /// </summary>
    public Task SuspendQueueAsync(string virtualHost, string queue) => rabbitmqctl(["eval", QueueProcess(virtualHost, queue, "suspend")]);

    public Task ResumeQueueAsync(string virtualHost, string queue) => rabbitmqctl(["eval", QueueProcess(virtualHost, queue, "resume")]);

    private static string QueueProcess(string virtualHost, string queue, string call) =>
        $"{{ok, Q}} = rabbit_amqqueue:lookup(rabbit_misc:r(<<\"{virtualHost}\">>, queue, <<\"{queue}\">>)), sys:{call}(amqqueue:get_pid(Q)).";
}
