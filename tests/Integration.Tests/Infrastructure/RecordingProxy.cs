using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Predictions.Integration.Tests.Infrastructure;

/// <summary>
/// An HTTP proxy on loopback that forwards nothing: it notes the first line of each request a process sends
/// through it (for HTTPS, <c>CONNECT host:443 HTTP/1.1</c>) and refuses it. A service started with
/// <c>HTTPS_PROXY</c> pointing here shows every outgoing HTTPS call it attempts, and reaches no one.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RecordingProxy()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The first line of every request received so far.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RefuseAsync(client);
        }
    }

    private async Task RefuseAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, leaveOpen: true);
                if (await reader.ReadLineAsync(_stop.Token) is { } requestLine)
                {
                    _requests.Enqueue(requestLine);
                }

                await stream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }
}
