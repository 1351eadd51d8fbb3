using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;

namespace Predictions.Integration.Tests.Pipeline;

/// <summary>
/// The whole system with both stores on PostgreSQL (one database for the results and the audit): a
/// prediction submitted over HTTP completes, reads back through GET, and is audited once.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class PostgresEndToEndTests(BrokerFixture fixture)
{
    private static readonly TimeSpan OutcomeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_prediction_completes_reads_back_and_is_audited_once_in_postgres()
    {
        await using var database = await PostgresLocator.CreateDatabaseAsync();
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(
            new Dictionary<string, string>(Settings.QuickModel) { ["ConnectionStrings:Audit"] = database.ConnectionString });
        await system.StartGatewayAsync(new Dictionary<string, string> { ["ConnectionStrings:Results"] = database.ConnectionString });

        var id = (await system.SubmitAsync(itemId: 123, featureValue: 5.0)).GetProperty("id").GetString()!;
        var outcome = await system.WaitForOutcomeAsync(id, OutcomeTimeout);

        Assert.Equal("completed", outcome.GetProperty("status").GetString());
        Assert.Equal(10, outcome.GetProperty("prediction").GetDouble());
        Assert.Equal(
            1L, await database.ScalarAsync<long>($"SELECT count(*) FROM predictions WHERE prediction_id = '{id}' AND status = 'completed'"));
        await Eventually.HoldsAsync(
            async () => await database.ScalarAsync<long>($"SELECT count(*) FROM prediction_audit WHERE prediction_id = '{id}'") == 1,
            OutcomeTimeout,
            () => $"Prediction {id} has no audit row.\n{system.Describe()}");
        Assert.Equal(1L, await database.ScalarAsync<long>(
            $"SELECT count(*) FROM prediction_audit WHERE prediction_id = '{id}' AND outcome = 'completed' AND prediction = 10"));
        Assert.False(
            File.Exists(system.ResultsDatabase) || File.Exists(system.AuditDatabase),
            "A SQLite file was made although both stores are on PostgreSQL.");
    }
}
