using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Predictions.Gateway.Api;

/// <summary>The query and header parameters of the prediction endpoints, checked with errors that name them.</summary>
public static class RequestParameters
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary><c>?wait=seconds</c>: how long to wait for the outcome, capped at <c>Gateway:MaxWait</c>; zero when absent.</summary>
    public static (TimeSpan Wait, ValidationProblem? Problem) Wait(HttpRequest request, GatewayOptions options)
    {
        if (!request.Query.TryGetValue("wait", out var values))
        {
            return (TimeSpan.Zero, null);
        }

        if (values.Count != 1
            || !double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds)
            || seconds < 0)
        {
            return (TimeSpan.Zero,
                Invalid("wait", $"must be a number of seconds from 0 to {options.MaxWait.TotalSeconds:0.#} (longer waits are cut to that)."));
        }

        var wait = TimeSpan.FromSeconds(Math.Min(seconds, options.MaxWait.TotalSeconds));
        return (wait, null);
    }

    /// <summary>The <c>Idempotency-Key</c> header: 1 to 255 visible ASCII characters; null when absent.</summary>
    public static (string? Key, ValidationProblem? Problem) IdempotencyKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return (null, null);
        }

        var key = values.Count == 1 ? values[0] : null;
        return key is { Length: > 0 and <= 255 } && key.All(c => c is > ' ' and <= '~')
            ? (key, null)
            : (null, Invalid(IdempotencyKeyHeader, "must be one value of 1 to 255 visible ASCII characters, e.g. a UUID."));
    }

    /// <summary>400 naming each field or parameter at fault.</summary>
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The prediction request is invalid.");

    private static ValidationProblem Invalid(string name, string message) =>
        Invalid(new Dictionary<string, string[]> { [name] = [message] });
}
