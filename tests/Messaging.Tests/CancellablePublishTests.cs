using System.Reflection;
using MassTransit;
using Predictions.Messaging.Outages;

namespace Predictions.Messaging.Tests;

/// <summary>
/// A publish that MassTransit never completes (its exchange's one-time declaration failed on that channel)
/// must still end when its token does, or the consumer holding it would keep its endpoint from reconnecting.
/// </summary>
public sealed class CancellablePublishTests
{
    [Fact]
    public async Task A_publish_that_never_completes_ends_when_its_token_is_cancelled()
    {
        var publisher = NeverCompletingPublisher.Create();
        using var cancel = new CancellationTokenSource();

        var publish = publisher.PublishCancellableAsync(new Ping(), cancel.Token);
        Assert.False(publish.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_publish_with_headers_that_never_completes_ends_at_its_deadline()
    {
        var publisher = NeverCompletingPublisher.Create();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var publish = publisher.PublishCancellableAsync(new Ping(), context => context.Headers.Set("h", "v"), deadline.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public sealed record Ping;

    /// <summary>An <see cref="IPublishEndpoint"/> whose every publish waits for ever and ignores its token.</summary>
    public class NeverCompletingPublisher : DispatchProxy
    {
        public static IPublishEndpoint Create() => DispatchProxy.Create<IPublishEndpoint, NeverCompletingPublisher>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.ReturnType == typeof(Task) ? new TaskCompletionSource().Task : null;
    }
}
