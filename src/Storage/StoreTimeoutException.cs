namespace Predictions.Storage;

/// <summary>A read or write the database did not finish within <c>Storage:Timeout</c>: an outage, waited out like any other.</summary>
public sealed class StoreTimeoutException(string location, TimeSpan timeout, Exception? inner = null) : TimeoutException(
    $"{location} did not answer within Storage:Timeout ({timeout.TotalSeconds:0.#} s); " +
    "the server may be stopped or overloaded, or a lock held elsewhere",
    inner);
