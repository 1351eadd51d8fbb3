
namespace Predictions.Storage.Sqlite;

/// <summary>
/// The SQLite primary result codes that mean the store, not the write, is at fault: the file is locked,
/// unwritable, full or gone. Waiting fixes them; nothing about the write does. Extended codes count as
/// their primary code, which is what <c>SqliteException.SqliteErrorCode</c> holds.
/// </summary>
public static class SqliteOutageCodes
{
    public const int Permission = 3;
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int IoError = 10;
    public const int Full = 13;
    public const int CannotOpen = 14;

    /// <summary>True for every code above: the store is unavailable, and the write waits to be retried.</summary>
    public static bool IsOutage(int code) =>
        code is Permission or Busy or Locked or ReadOnly or IoError or Full or CannotOpen;

    /// <summary>
    /// True for the codes that are the whole transaction's, not one statement's: SQLite may already have
    /// rolled it back, so every write in it fails with them. The others fail only the statement that met them.
    /// </summary>
    public static bool FailsTransaction(int code) =>
        code is Busy or Locked or IoError or Full;
}
