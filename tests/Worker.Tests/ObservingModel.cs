using System.Collections.Concurrent;
using Predictions.Contracts;
using Predictions.Worker.Models;

namespace Predictions.Worker.Tests;

/// <summary>
/// A model that records how it is called: how many calls overlap, on which threads, with how many inputs.
/// It doubles each feature value after <paramref name="cost"/> of blocking work, optionally held at a gate;
/// with <paramref name="batching"/> it takes several inputs per call, and a call with one input it rejects fails whole.
/// </summary>
public sealed class ObservingModel(
    TimeSpan cost, Func<ModelInput, bool>? fail = null, ManualResetEventSlim? gate = null, bool batching = false) : IPredictionModel
{
    private readonly ConcurrentBag<Thread> _threads = [];
    private readonly ConcurrentQueue<int> _batchSizes = [];
    private int _current;
    private int _peak;
    private int _calls;

    public int PeakConcurrency => Volatile.Read(ref _peak);

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyCollection<Thread> Threads => _threads;

    /// <summary>Inputs in each call, in the order the calls began.</summary>
    public IReadOnlyCollection<int> BatchSizes => _batchSizes;

    public ModelIdentity Identity { get; } = new() { Name = "observing", Version = "1" };

    public bool SupportsBatching => batching;

    public IReadOnlyList<double> Predict(IReadOnlyList<ModelInput> inputs)
    {
        _batchSizes.Enqueue(inputs.Count);
        return [.. inputs.Select(Predict)];
    }

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
