using System.Globalization;
using Microsoft.Data.Sqlite;
using Predictions.Storage;
using Predictions.Storage.Postgres;
using Predictions.Storage.Sqlite;

namespace Predictions.Tests.Shared.Schemas;

/// <summary>
/// What every store's schema must do on every database: a fresh one gets each step and records it, a second start
/// changes nothing, and one an earlier release left at any step gets only the steps after it, its rows kept.
/// Each store's test class derives from it with the rows its first step can hold, and adds its own checks.
/// </summary>
public abstract class StoreSchemaTests(StoreSchema schema) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<SchemaTestDatabase> _databases = [];

    /// <summary>A folder of this test's own for SQLite files, deleted after it.</summary>
    protected string Folder { get; } = Directory.CreateTempSubdirectory($"{schema.Store}-schema-").FullName;

    /// <summary>Every version of the store's schema, as a new SQLite file records them.</summary>
    protected IReadOnlyList<int> LatestVersions => [.. Enumerable.Range(1, schema.LatestVersion)];

    /// <summary>Rows as an earlier release wrote them into the tables <paramref name="database"/>'s first step made.</summary>
    protected abstract string RowsAtFirstStep(string database);

    /// <summary>Reads every column of the latest version from the tables <see cref="RowsAtFirstStep"/> wrote into.</summary>
    protected abstract string ReadKeptRows { get; }

    /// <summary>What <see cref="ReadKeptRows"/> finds once <see cref="RowsAtFirstStep"/>'s rows reach the latest version.</summary>
    protected abstract IReadOnlyList<string> KeptRows { get; }

    [Theory]
    [InlineData(SqliteProvider.Name)]
    [InlineData(PostgresProvider.Name)]
    public async Task A_fresh_database_gets_every_step_and_records_each(string engine)
    {
        var database = await CreateAsync(engine);

        await MigrateAsync(database, schema);

        Assert.Equal(AllVersions(engine), await VersionsAsync(database));
        Assert.Empty(await database.RowsAsync(ReadKeptRows));
    }

    [Theory]
    [InlineData(SqliteProvider.Name)]
    [InlineData(PostgresProvider.Name)]
    public async Task Migrating_again_changes_nothing(string engine)
    {
        var database = await CreateAsync(engine);
        await MigrateAsync(database, Through(engine, 1));
        await database.ExecuteAsync(RowsAtFirstStep(engine));
        await MigrateAsync(database, schema);
        var before = await database.SchemaAsync();

        await MigrateAsync(database, schema);

        Assert.Equal(before, await database.SchemaAsync());
        Assert.Equal(KeptRows, await database.RowsAsync(ReadKeptRows));
    }

    [Theory]
    [InlineData(SqliteProvider.Name)]
    [InlineData(PostgresProvider.Name)]
    public async Task A_database_made_by_the_earlier_steps_gets_only_the_later_ones_and_keeps_its_rows(string engine)
    {
        var fresh = await CreateAsync(engine);
        await MigrateAsync(fresh, schema);
        var freshShape = await fresh.ShapeAsync();

        // Up to and including every step: a database already at the latest version is one that runs nothing.
        for (var reached = 1; reached <= AllVersions(engine).Count; reached++)
        {
            var database = await CreateAsync(engine);
            await MigrateAsync(database, Through(engine, 1));
            await database.ExecuteAsync(RowsAtFirstStep(engine));
            await MigrateAsync(database, Through(engine, reached));
            var earlier = await database.VersionsAsync(schema.Store);

            await MigrateAsync(database, schema);

            // The steps it had keep the times they were applied: none is run or recorded again.
            var versions = await database.VersionsAsync(schema.Store);
            Assert.True(earlier.SequenceEqual(versions.Take(reached)), $"At step {reached}: {string.Join(", ", versions)}");
            Assert.Equal(AllVersions(engine), await VersionsAsync(database));
            Assert.Equal(KeptRows, await database.RowsAsync(ReadKeptRows));
            Assert.Equal(freshShape, await database.ShapeAsync());
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>The store database on a SQLite file at <paramref name="path"/>, with only this store's schema.</summary>
    protected SqliteDatabase SqliteAt(string path) => new($"Data Source={path}", [schema]);

    /// <summary>The shape of a new SQLite file given every step.</summary>
    protected async Task<IReadOnlyList<string>> FreshSqliteShapeAsync()
    {
        var fresh = await CreateAsync(SqliteProvider.Name);
        await MigrateAsync(fresh, schema);
        return await fresh.ShapeAsync();
    }

    /// <summary>A new empty database of <paramref name="engine"/>, removed after the test.</summary>
    protected async Task<SchemaTestDatabase> CreateAsync(string engine)
    {
        SchemaTestDatabase database = engine switch
        {
            SqliteProvider.Name => new SqliteSchemaTestDatabase(Folder),
            PostgresProvider.Name => await PostgresSchemaTestDatabase.CreateAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "No schema test database for it."),
        };
        _databases.Add(database);
        return database;
    }

    protected static async Task MigrateAsync(SchemaTestDatabase database, StoreSchema steps)
    {
        await using var store = database.Open(steps);
        await store.EnsureCreatedAsync().WaitAsync(Deadline);
    }

    /// <summary>The store's steps up to <paramref name="engine"/>'s <paramref name="migrations"/>th, as an earlier release had them.</summary>
    private StoreSchema Through(string engine, int migrations)
    {
        var last = schema.Steps.Where(step => step.Sql.ContainsKey(engine)).ElementAt(migrations - 1);
        return new StoreSchema(schema.Store, [.. schema.Steps.TakeWhile(step => step.Version <= last.Version)]);
    }

    private IReadOnlyList<int> AllVersions(string engine) => [.. schema.MigrationsFor(engine).Select(migration => migration.Version)];

    private async Task<IReadOnlyList<int>> VersionsAsync(SchemaTestDatabase database) =>
        [.. (await database.VersionsAsync(schema.Store)).Select(row => int.Parse(row.Split('|')[0], CultureInfo.InvariantCulture))];
}
