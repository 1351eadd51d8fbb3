namespace Predictions.Bench;

public static class Requests
{
    /// <summary>A prediction not finished after this long counts as failed, so a lost message cannot hang the run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
}
