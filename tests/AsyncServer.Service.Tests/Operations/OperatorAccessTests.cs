using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace AsyncServer.Service.Tests.Operations;

/// <summary>
/// Issue 16, point 4: /status and /metrics need the operator's credential from another address (here the machine's
/// own non-loopback address, so the request does not come from loopback), never a store's; loopback callers need none.
/// </summary>
public sealed class OperatorAccessTests
{
    private const string Password = "correct horse battery staple";

    private static IPAddress OwnAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("This machine has no IPv4 address besides loopback to call the service from.");

    private static AuthenticationHeaderValue Basic(string user, string password)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public async Task Another_address_needs_the_operators_credential_and_loopback_does_not()
    {
        await using var setup = await OperationsSetup.CreateAsync("access", null, Password);
        using var remote = new HttpClient { BaseAddress = new UriBuilder(setup.BaseAddress) { Host = OwnAddress().ToString() }.Uri };
        using var local = new HttpClient { BaseAddress = setup.BaseAddress };

        foreach (var path in new[] { "/status", "/status/overview", "/metrics" })
        {
            var anonymous = await remote.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            foreach (var wrong in new[] { Basic("operator", "wrong password"), Basic("BLOCKED", Password), Basic("", "") })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = wrong } };
                Assert.Equal(HttpStatusCode.Unauthorized, (await remote.SendAsync(request)).StatusCode);
            }
            using var operatorRequest = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = Basic("operator", Password) } };
            Assert.Equal(HttpStatusCode.OK, (await remote.SendAsync(operatorRequest)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await local.GetAsync(path)).StatusCode);
        }
        // The stores' routes are not the operator's: the health probe stays open.
        Assert.Equal(HttpStatusCode.OK, (await remote.GetAsync("/health/live")).StatusCode);
        Assert.DoesNotContain(Password, setup.Service.Log, StringComparison.Ordinal);
    }
}
