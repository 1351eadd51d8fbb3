using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Predictions.Contracts;

namespace Predictions.Worker.Tests.CrashRecovery;

/// <summary>
/// Every request the worker's bus sent. The harness lists one message per message id, and a worker's copy keeps the id
/// of the request it copies: a copy of a request the test itself sent would not show there.
/// </summary>
internal sealed class SentRequests : ISendObserver
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<SendContext<PredictionRequest>> _sent = new();

    public IReadOnlyList<SendContext<PredictionRequest>> To(string queue) =>
        [.. _sent.Where(sent => sent.DestinationAddress == new Uri($"loopback://localhost/{queue}"))];

    /// <summary>The first copy of <paramref name="predictionId"/> sent to <paramref name="queue"/>, waited for.</summary>
    public async Task<SendContext<PredictionRequest>> FirstAsync(string queue, Guid predictionId)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (To(queue).FirstOrDefault(sent => sent.Message.PredictionId == predictionId) is { } sent)
            {
                return sent;
            }

            Assert.True(waited.Elapsed < Timeout, $"{predictionId} was not sent to {queue} within {Timeout.TotalSeconds} s.");
            await Task.Delay(20);
        }
    }

    public Task PreSend<T>(SendContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context)
        where T : class
    {
        if (context is SendContext<PredictionRequest> request)
        {
            _sent.Enqueue(request);
        }

        return Task.CompletedTask;
    }

    public Task SendFault<T>(SendContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
