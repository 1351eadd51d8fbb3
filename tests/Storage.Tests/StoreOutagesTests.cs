using Microsoft.Data.Sqlite;

using Predictions.Storage.Hosting;

namespace Predictions.Storage.Tests;

/// <summary>
/// Which failures of a SQLite store are its outage, waited out however long it lasts and never error-queued,
/// and which are the write's own fault, a few retries and then the error queue (<see cref="StoreOutages.IsStoreUnavailable"/>).
/// </summary>
public sealed class StoreOutagesTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("store-retry-");

    /// <summary>Every primary result code that counts as the store being unavailable.</summary>
    public static TheoryData<int, string> OutageCodes => new()
    {
        { 3, "SQLITE_PERM" },
        { 5, "SQLITE_BUSY" },
        { 6, "SQLITE_LOCKED" },
        { 8, "SQLITE_READONLY" },
        { 10, "SQLITE_IOERR" },
        { 13, "SQLITE_FULL" },
        { 14, "SQLITE_CANTOPEN" },
    };

    /// <summary>Codes that no amount of waiting fixes: the write, or the file's content, is at fault.</summary>
    public static TheoryData<int, string> WriteFaultCodes => new()
    {
        { 1, "SQLITE_ERROR" },
        { 11, "SQLITE_CORRUPT" },
        { 18, "SQLITE_TOOBIG" },
        { 19, "SQLITE_CONSTRAINT" },
        { 20, "SQLITE_MISMATCH" },
        { 21, "SQLITE_MISUSE" },
        { 25, "SQLITE_RANGE" },
        { 26, "SQLITE_NOTADB" },
    };

    /// <summary>An extended code counts as its primary code: the low byte.</summary>
    public static TheoryData<int, int, bool> ExtendedCodes => new()
    {
        { 5, 517, true },    // SQLITE_BUSY_SNAPSHOT
        { 6, 262, true },    // SQLITE_LOCKED_SHAREDCACHE
        { 8, 1032, true },   // SQLITE_READONLY_DBMOVED
        { 10, 522, true },   // SQLITE_IOERR_SHORT_READ
        { 14, 1038, true },  // SQLITE_CANTOPEN_CONVPATH
        { 19, 1555, false }, // SQLITE_CONSTRAINT_PRIMARYKEY
    };

    [Theory]
    [MemberData(nameof(OutageCodes))]
    public void A_store_that_is_locked_unwritable_full_or_gone_is_an_outage(int code, string name) =>
        Assert.True(StoreOutages.IsStoreUnavailable(new SqliteException(name, code)), name);

    [Theory]
    [MemberData(nameof(WriteFaultCodes))]
    public void An_error_waiting_cannot_fix_is_not_an_outage(int code, string name) =>
        Assert.False(StoreOutages.IsStoreUnavailable(new SqliteException(name, code)), name);

    [Theory]
    [MemberData(nameof(ExtendedCodes))]
    public void An_extended_code_counts_as_its_primary_code(int code, int extendedCode, bool outage) =>
        Assert.Equal(outage, StoreOutages.IsStoreUnavailable(new SqliteException($"extended {extendedCode}", code, extendedCode)));

    [Fact]
    public void The_file_system_refusing_the_file_is_an_outage_and_other_exceptions_are_not()
    {
        Assert.True(StoreOutages.IsStoreUnavailable(new IOException("No space left on device")));
        Assert.True(StoreOutages.IsStoreUnavailable(new DirectoryNotFoundException("gone")));
        Assert.True(StoreOutages.IsStoreUnavailable(new UnauthorizedAccessException("permission denied")));
        Assert.False(StoreOutages.IsStoreUnavailable(new InvalidOperationException("a bug")));
        Assert.False(StoreOutages.IsStoreUnavailable(new ArgumentException("a bad value")));
        Assert.False(StoreOutages.IsStoreUnavailable(new FormatException("a bad row")));
    }

    // The codes above as the driver really raises them, so the classifier is known to see primary codes.
    [Fact]
    public void A_write_while_another_connection_holds_the_file_locked_is_an_outage()
    {
        using var holder = Open("locked.db");
        Execute(holder, "CREATE TABLE notes (text TEXT NOT NULL); BEGIN EXCLUSIVE;");
        // One second: 0 would mean wait for ever.
        using var writer = Open("locked.db", "Default Timeout=1");

        var error = Assert.Throws<SqliteException>(() => Execute(writer, "INSERT INTO notes VALUES ('x');"));

        Assert.Equal(5, error.SqliteErrorCode);
        Assert.True(StoreOutages.IsStoreUnavailable(error));
    }

    [Fact]
    public void A_write_to_a_read_only_database_is_an_outage()
    {
        using (var create = Open("read-only.db"))
        {
            Execute(create, "CREATE TABLE notes (text TEXT NOT NULL);");
        }

        using var reader = Open("read-only.db", "Mode=ReadOnly");

        var error = Assert.Throws<SqliteException>(() => Execute(reader, "INSERT INTO notes VALUES ('x');"));

        Assert.Equal(8, error.SqliteErrorCode);
        Assert.True(StoreOutages.IsStoreUnavailable(error));
    }

    [Fact]
    public void A_database_whose_folder_is_gone_is_an_outage()
    {
        var error = Assert.Throws<SqliteException>(() => Open(Path.Combine("missing-folder", "gone.db")));

        Assert.Equal(14, error.SqliteErrorCode);
        Assert.True(StoreOutages.IsStoreUnavailable(error));
    }

    [Fact]
    public void A_write_that_breaks_a_constraint_or_the_syntax_is_not_an_outage()
    {
        using var connection = Open("faulty.db");
        Execute(connection, "CREATE TABLE notes (text TEXT NOT NULL);");

        var constraint = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO notes VALUES (NULL);"));
        var syntax = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO nowhere VALUES ('x');"));

        Assert.Equal(19, constraint.SqliteErrorCode);
        Assert.False(StoreOutages.IsStoreUnavailable(constraint));
        Assert.Equal(1, syntax.SqliteErrorCode);
        Assert.False(StoreOutages.IsStoreUnavailable(syntax));
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_not_an_outage()
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "garbage.db"), new string('x', 4096));
        using var connection = Open("garbage.db");

        var error = Assert.Throws<SqliteException>(() => Execute(connection, "SELECT count(*) FROM sqlite_master;"));

        Assert.Equal(26, error.SqliteErrorCode);
        Assert.False(StoreOutages.IsStoreUnavailable(error));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private SqliteConnection Open(string file, string options = "")
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_folder.FullName, file)};Pooling=False;{options}");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
