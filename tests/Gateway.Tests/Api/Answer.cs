using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Predictions.Gateway.Tests.Api;

/// <summary>What a client hears: the status, the headers, the body.</summary>
public sealed record Answer(int Status, IHeaderDictionary Headers, string Text, string? ContentType)
{
    public JsonElement Body => JsonDocument.Parse(Text).RootElement;

    public Guid Id => Body.GetProperty("id").GetGuid();

    public string? Location => Headers.Location;

    public string? RetryAfter => Headers.RetryAfter;

    /// <summary>The fields a 400 names.</summary>
    public IReadOnlyList<string> FieldsAtFault => [.. Body.GetProperty("errors").EnumerateObject().Select(error => error.Name)];

    public override string ToString() => $"{Status} {Text}";
}
