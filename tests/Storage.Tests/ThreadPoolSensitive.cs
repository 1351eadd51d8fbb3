namespace Predictions.Storage.Tests;

/// <summary>Tests that measure the thread pool run alone, so no other test's threads are counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolSensitive
{
    public const string Name = "Thread-pool sensitive";
}
