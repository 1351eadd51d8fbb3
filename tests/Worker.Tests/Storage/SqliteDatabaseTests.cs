using Microsoft.Data.Sqlite;
using Predictions.ServiceDefaults.Storage;

namespace Predictions.Worker.Tests.Storage;

public sealed class SqliteDatabaseTests : IDisposable
{
    private const string Schema = "CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL);";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly string _folder = Directory.CreateTempSubdirectory("sqlite-database-").FullName;

    [Fact]
    public async Task A_write_that_throws_an_unexpected_exception_fails_alone_and_later_writes_succeed()
    {
        await using var database = Database("notes.db");

        var failing = database.WriteAsync<int>((_, _) => throw new ArgumentException("a bug in this write"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => failing.WaitAsync(Timeout));
        Assert.Equal("a bug in this write", error.Message);
        Assert.Equal(1, await database.WriteAsync(AddNote, CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(1L, await CountAsync("notes.db", "SELECT count(*) FROM notes"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private SqliteDatabase Database(string file) => new($"Data Source={Path.Combine(_folder, file)}", Schema);

    private static int AddNote(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO notes (text) VALUES ('kept');";
        return command.ExecuteNonQuery();
    }

    private async Task<long> CountAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, file)}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
