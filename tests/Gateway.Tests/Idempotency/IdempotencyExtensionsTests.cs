using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Predictions.Gateway.Idempotency;
using Predictions.Gateway.Status;
using Predictions.Gateway.Tests.Status;
using Predictions.Harness;

namespace Predictions.Gateway.Tests.Idempotency;

/// <summary>The gateway's status and idempotency stores, each registered by its own feature, share the results file.</summary>
public sealed class IdempotencyExtensionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("idempotency-extensions-").FullName;

    [Fact]
    public async Task A_results_file_from_the_last_release_before_versions_is_upgraded_at_start_for_both_stores_which_read_their_rows()
    {
        var path = Path.Combine(_folder, "results.db");
        await SqliteFile.ExecuteAsync(path,
            PredictionStatusSchemaTests.MadeByLastUnversionedRelease + PredictionStatusSchemaTests.EarlierPredictions
            + PredictionStatusSchemaTests.EarlierOwner
            + IdempotencySchemaTests.FirstShipped + IdempotencySchemaTests.Owned + IdempotencySchemaTests.MovedKeys);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder, DisableDefaults = true });
        builder.Configuration["ConnectionStrings:Results"] = $"Data Source={path}";
        builder.AddStatusStore();
        builder.AddIdempotency();
        using var host = builder.Build();

        await host.StartAsync();
        var statuses = host.Services.GetRequiredService<PredictionStatusStore>();
        var keys = host.Services.GetRequiredService<IdempotencyStore>();
        var owned = await statuses.FindAsync(Guid.Parse("0198c2a4-0000-7000-8000-000000000002"), reader: "alice", CancellationToken.None);
        var replayed = await keys.ClaimAsync(null, "k", Guid.CreateVersion7(), "1:2", CancellationToken.None);
        await host.StopAsync();

        Assert.Equal(PredictionStatus.Completed, owned?.Status);
        Assert.Equal((IdempotencyStore.Outcome.Replayed, Guid.Parse("0198c2a4-0000-7000-8000-000000000001")), replayed);
        Assert.Equal(
            [.. Enumerable.Range(1, PredictionStatusSchema.Store.LatestVersion)],
            await SqliteFile.VersionsAsync(path, PredictionStatusSchema.Store.Store));
        Assert.Equal(
            [.. Enumerable.Range(1, IdempotencySchema.Store.LatestVersion)], await SqliteFile.VersionsAsync(path, IdempotencySchema.Store.Store));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
