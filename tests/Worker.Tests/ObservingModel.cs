using System.Collections.Concurrent;
using Predictions.Contracts;
using Predictions.Worker.Inference;

namespace Predictions.Worker.Tests;

/// <summary>
/// A model that records how it is called: how many calls overlap, on which threads. It doubles the
/// feature value after <paramref name="cost"/> of blocking work, optionally held at a gate.
/// </summary>
public sealed class ObservingModel(TimeSpan cost, Func<ModelInput, bool>? fail = null, ManualResetEventSlim? gate = null) : IPredictionModel
{
    private readonly ConcurrentBag<Thread> _threads = [];
    private int _current;
    private int _peak;
    private int _calls;

    public int PeakConcurrency => Volatile.Read(ref _peak);

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyCollection<Thread> Threads => _threads;

    public ModelIdentity Identity { get; } = new() { Name = "observing", Version = "1" };

    public bool SupportsBatching => false;

    public IReadOnlyList<double> Predict(IReadOnlyList<ModelInput> inputs) => [.. inputs.Select(Predict)];

    private double Predict(ModelInput input)
    {
        Interlocked.Increment(ref _calls);
        var now = Interlocked.Increment(ref _current);
        for (var peak = _peak; now > peak; peak = _peak)
        {
            Interlocked.CompareExchange(ref _peak, now, peak);
        }

        try
        {
            _threads.Add(Thread.CurrentThread);
            gate?.Wait(TimeSpan.FromSeconds(30));
            if (cost > TimeSpan.Zero)
            {
                Thread.Sleep(cost);
            }

            if (fail?.Invoke(input) == true)
            {
                throw new ArgumentOutOfRangeException(nameof(input), "the model rejects this input");
            }

            return 2 * input.FeatureValue;
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }
}
