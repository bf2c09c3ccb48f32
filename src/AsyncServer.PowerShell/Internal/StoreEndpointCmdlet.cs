using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Base of the store-side cmdlets that can talk to HQ's endpoint instead of its message database (Receive-AsyncPackage,
/// Send-AsyncPackage): the "Endpoint" parameter set's address and TLS parameters, declared once so both spell them alike.
/// The store's own connection (-ChannelConnectionString) stays with each cmdlet: it is optional in one and required in the other.
/// </summary>
public abstract class StoreEndpointCmdlet : AsyncServerCmdlet
{
    protected const string EndpointSet = "Endpoint";

    /// <summary>Talk to the HQ endpoint (https://host:port) instead of the message database.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EndpointSet)]
    [ValidateNotNull]
    public Uri? Server { get; set; }

    /// <summary>Endpoint: the provider of -ChannelConnectionString (default sqlite).</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    [ValidateSet("sqlite", "postgresql", "sqlserver")]
    public string? ChannelProvider { get; set; }

    /// <summary>Endpoint: authenticate with this client certificate (mutual TLS) instead of -Credential.</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    [ValidateNotNull]
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Endpoint: accept exactly this server certificate (SHA-1 thumbprint) instead of validating its chain.</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint { get; set; }
}
