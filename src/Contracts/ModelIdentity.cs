namespace Predictions.Contracts;

/// <summary>Which model computed a prediction: its name and version, as the worker's configuration or the model file gives them.</summary>
public record ModelIdentity
{
    public required string Name { get; init; }

    public required string Version { get; init; }
}
