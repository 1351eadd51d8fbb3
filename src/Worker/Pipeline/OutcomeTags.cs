using Predictions.Contracts;

namespace Predictions.Worker.Pipeline;

/// <summary>What every outcome of a request says of how it was routed: why its version was chosen, and whose shadow it is.</summary>
public sealed record OutcomeTags(string? Route, Guid? ShadowOf)
{
    public T On<T>(T outcome)
        where T : PredictionOutcome => outcome with { Route = Route, ShadowOf = ShadowOf };
}
