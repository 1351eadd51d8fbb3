using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Predictions.Integration.Tests.Rollouts;

/// <summary>The gateway's model admin API, as an operator calls it with <c>X-Admin-Key</c>.</summary>
public sealed class AdminApi(Uri gateway) : IDisposable
{
    public const string Key = "an-admin-key-for-the-rollout-tests-only";

    /// <summary>The gateway settings that turn the admin API on, with a short announce interval so hosts hear changes fast.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Admin:Enabled"] = "true",
        ["Admin:Key"] = Key,
        ["Rollouts:AnnounceInterval"] = "00:00:00.500",
    };

    private readonly HttpClient _http = new()
    {
        BaseAddress = gateway,
        Timeout = TimeSpan.FromSeconds(90),
        DefaultRequestHeaders = { { "X-Admin-Key", Key } },
    };

    public Task<(HttpStatusCode Status, JsonElement Body)> LoadAsync(string model, int version, int waitSeconds = 60) =>
        SendAsync(HttpMethod.Put, $"/admin/models/{model}/versions/{version}?wait={waitSeconds}");

    public Task<(HttpStatusCode Status, JsonElement Body)> UnloadAsync(string model, int version) =>
        SendAsync(HttpMethod.Delete, $"/admin/models/{model}/versions/{version}");

    public Task<(HttpStatusCode Status, JsonElement Body)> CanaryAsync(string model, int version, double percent, double? maxErrorRate = null) =>
        SendAsync(HttpMethod.Put, $"/admin/models/{model}/canary", new { version, percent, maxErrorRate });

    public Task<(HttpStatusCode Status, JsonElement Body)> ShadowAsync(string model, int version, double percent) =>
        SendAsync(HttpMethod.Put, $"/admin/models/{model}/shadow", new { version, percent });

    public Task<(HttpStatusCode Status, JsonElement Body)> ClearShadowAsync(string model) =>
        SendAsync(HttpMethod.Delete, $"/admin/models/{model}/shadow");

    public Task<(HttpStatusCode Status, JsonElement Body)> PromoteAsync(string model) =>
        SendAsync(HttpMethod.Post, $"/admin/models/{model}/promote?wait=60");

    public Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string model) => SendAsync(HttpMethod.Get, $"/admin/models/{model}");

    /// <summary>Succeeds with 200, or fails naming the call and the answer.</summary>
    public static JsonElement Ok((HttpStatusCode Status, JsonElement Body) answer, string call)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, $"{call} answered {(int)answer.Status}: {answer.Body}");
        return answer.Body;
    }

    /// <summary>The version's entry in a model view.</summary>
    public static JsonElement Version(JsonElement model, int version) =>
        model.GetProperty("versions").EnumerateArray().Single(entry => entry.GetProperty("version").GetInt32() == version);

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
