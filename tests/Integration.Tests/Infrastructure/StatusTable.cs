namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// Reads the gateway's <c>predictions</c> table as an operator would, from the SQLite file at
/// <paramref name="source"/> or, when it is an Npgsql connection string, from that PostgreSQL database.
/// </summary>
public sealed class StatusTable(string source)
{
    /// <summary>Every stored prediction by id; empty while no gateway has created the table.</summary>
    public async Task<IReadOnlyDictionary<string, StatusRow>> ReadAsync() =>
        (await StoreQuery.ReadAsync(
            source,
            "SELECT prediction_id, status, prediction, error FROM predictions",
            reader => (Id: reader.GetString(0), Row: new StatusRow(
                reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetString(3)))))
        .ToDictionary(entry => entry.Id, entry => entry.Row);
}

public sealed record StatusRow(string Status, double? Prediction, string? Error);
