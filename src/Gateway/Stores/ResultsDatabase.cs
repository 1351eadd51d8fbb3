namespace Predictions.Gateway.Stores;

/// <summary>The database the status store and the idempotency keys share (<c>ConnectionStrings:Results</c>).</summary>
public static class ResultsDatabase
{
    public const string Name = "Results";
}
