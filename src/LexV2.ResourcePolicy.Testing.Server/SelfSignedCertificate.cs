using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// The certificate <c>UseHttps</c> serves when none is given: self-signed, ECDSA P-256, for <c>localhost</c>, 127.0.0.1 and ::1.
/// It is its own trust anchor (clients trust it by its PEM: boto3's <c>verify=</c>, Node's <c>NODE_EXTRA_CA_CERTS</c>), so
/// it carries what strict verifiers (OpenSSL's X509_STRICT, which Python 3.13 turns on) ask of a CA as well as of a server:
/// basic constraints, key usage with certificate signing, subject and authority key identifiers, and server authentication.
/// </summary>
internal static class SelfSignedCertificate
{
    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=LexV2.ResourcePolicy emulator (localhost)", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        var subjectKey = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(subjectKey);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKey));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        // Reloaded from PKCS#12 so the private key is usable by TLS on every platform (Windows' SChannel needs a stored key).
        byte[] pkcs12 = created.Export(X509ContentType.Pkcs12);
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadPkcs12(pkcs12, null);
#else
        return new X509Certificate2(pkcs12, (string?)null, X509KeyStorageFlags.Exportable);
#endif
    }
}
