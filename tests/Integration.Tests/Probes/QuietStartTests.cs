using System.Net;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Probes;

/// <summary>
/// An ordinary start logs no error: while the bus connects, the probes answer 503 and that answer is what tells an
/// orchestrator; a <c>fail:</c> line is kept for something an operator must look at.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class QuietStartTests(BrokerFixture fixture)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // A start can be quick enough that no probe lands before the bus is ready; such a start proves nothing here.
    private const int Starts = 5;

    [Fact]
    public async Task A_gateway_and_a_worker_probed_for_readiness_while_they_start_log_no_fail_or_crit_line()
    {
        for (var start = 1; start <= Starts; start++)
        {
            await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
            using var polling = new CancellationTokenSource();

            // Probed from the first moment, as an orchestrator does, until both are ready and a little after.
            var worker = system.StartWorker();
            var workerReady = PollReadinessAsync(system.WorkerProbes!, polling.Token);
            var gateway = system.StartGateway();
            var gatewayReady = PollReadinessAsync(await gateway.WaitForListeningAddressAsync(StartTimeout), polling.Token);
            await Task.WhenAll(workerReady.Ready, gatewayReady.Ready).WaitAsync(StartTimeout);
            await Task.WhenAll(workerReady.AfterReady(3), gatewayReady.AfterReady(3)).WaitAsync(StartTimeout);
            await polling.CancelAsync();
            if (workerReady.NotReadyAnswers + gatewayReady.NotReadyAnswers == 0)
            {
                continue;
            }

            foreach (var host in new[] { worker, gateway })
            {
                var alarming = host.Output.Split('\n')
                    .Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
                    .ToList();
                Assert.True(alarming.Count == 0, $"{host.Name} logged:\n{string.Join('\n', alarming)}\n\nOutput:\n{host.Output}");
            }

            return;
        }

        Assert.Fail($"In {Starts} starts no probe caught either host before it was ready.");
    }

    private static ReadinessPoll PollReadinessAsync(Uri address, CancellationToken stop)
    {
        var poll = new ReadinessPoll();
        _ = poll.RunAsync(address, stop);
        return poll;
    }

    /// <summary>Asks <c>/health/ready</c> every 50 ms, as an eager readiness probe would.</summary>
    private sealed class ReadinessPoll
    {
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Count, TaskCompletionSource Done)> _waits = [];
        private int _readyAnswers;

        public Task Ready => _ready.Task;

        public int NotReadyAnswers { get; private set; }

        /// <summary>Completes once <paramref name="answers"/> more ready answers have come after the first.</summary>
        public Task AfterReady(int answers)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waits)
            {
                _waits.Add((answers + 1, done));
            }

            return done.Task;
        }

        public async Task RunAsync(Uri address, CancellationToken stop)
        {
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync("/health/ready", stop);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Answered();
                    }
                    else
                    {
                        NotReadyAnswers++;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }

                try
                {
                    await Task.Delay(50, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        private void Answered()
        {
            _readyAnswers++;
            _ready.TrySetResult();
            lock (_waits)
            {
                foreach (var wait in _waits.Where(w => _readyAnswers >= w.Count))
                {
                    wait.Done.TrySetResult();
                }
            }
        }
    }
}
