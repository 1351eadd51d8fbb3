namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes: waiting on state, never on a fixed sleep.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describeFailure)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(20);
        Exception? lastError = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                lastError = null;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException
                or RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                lastError = ex;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail(
                    $"Not true within {timeout.TotalSeconds:0.#} s: "
                    + $"{describeFailure()}{(lastError is null ? "" : $"\nLast error: {lastError.Message}")}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }
}
