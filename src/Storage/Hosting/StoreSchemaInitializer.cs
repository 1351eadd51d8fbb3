using System.Data.Common;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Predictions.Storage.Hosting;

/// <summary>
/// Opens a store's database at start-up and brings its schemas up to date, so a database that cannot be
/// reached, opened or upgraded fails the host with a message naming the setting, not the first request.
/// </summary>
internal sealed class StoreSchemaInitializer(StoreDatabase database, string name, ILogger logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("The {Name} store uses {Provider} at {Location}", name, database.Provider, database.Location);
        try
        {
            await database.EnsureCreatedAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException
            or SocketException or AuthenticationException or TimeoutException)
        {
            throw new InvalidOperationException($"ConnectionStrings:{name}: {database.Provider.CannotOpen(database.Location)}: {Reasons(ex)}", ex);
        }
    }

    // Stopped after the message bus (registered earlier): every write a consumer queued is committed first.
    public async Task StopAsync(CancellationToken cancellationToken) => await database.DisposeAsync();

    /// <summary>
    /// The message with its inner ones: Npgsql says "Exception while connecting" and keeps the reason (a
    /// refused connection, a certificate the server's name does not match) in the inner exception.
    /// </summary>
    private static string Reasons(Exception exception)
    {
        var reasons = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (!reasons.Contains(current.Message))
            {
                reasons.Add(current.Message);
            }
        }

        return string.Join(" ---> ", reasons);
    }
}
