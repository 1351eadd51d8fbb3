using Microsoft.Extensions.Logging;

namespace Predictions.Storage;

/// <summary>
/// A database engine the stores can run on: how a connection string names it, how it opens one, and which of
/// its failures are outages. Each engine has one, in its own folder, listed once in <c>StoreProviders</c>.
/// </summary>
public abstract class StoreProvider
{
    /// <summary>The engine's key in each <see cref="SchemaStep"/>'s texts, and its name in logs.</summary>
    public abstract string Key { get; }

    /// <summary>True when <paramref name="connectionString"/> is this engine's.</summary>
    public abstract bool Recognizes(string connectionString);

    /// <summary>The database <paramref name="connectionString"/> names, holding <paramref name="schemas"/>.</summary>
    public abstract StoreDatabase Open(string connectionString, IReadOnlyList<StoreSchema> schemas, StorageOptions options, ILogger logger);

    /// <summary>True when the engine, not the statement, is at fault: waiting fixes it, nothing about the write does.</summary>
    public abstract bool IsOutage(Exception exception);

    /// <summary>True for the outages every engine shares (a timeout, the file system) and for this engine's own.</summary>
    public bool IsUnavailable(Exception exception) =>
        exception is StoreTimeoutException or IOException or UnauthorizedAccessException || IsOutage(exception);

    /// <summary>What failed when a database of this engine cannot be opened at start-up, naming where it is.</summary>
    public abstract string CannotOpen(string location);

    public override string ToString() => Key;
}
