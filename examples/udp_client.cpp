// UDP client: sends one datagram to localhost port 54321 and prints the
// reply. Gives up after 5 seconds without one: UDP may lose datagrams.
//
// Usage: udp_client [host] [port]
// Start udp_server first (or: nc -u -l 54321).
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

// "127.0.0.1:54012" or "[::1]:54012" for a socket address.
static void format_address(const sockaddr_storage* sa, char* out, size_t size) {
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->ss_family == AF_INET6) {
        const sockaddr_in6* in6 = (const sockaddr_in6*)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        snprintf(out, size, "[%s]:%u", ip, ntohs(in6->sin6_port));
    } else {
        const sockaddr_in* in = (const sockaddr_in*)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, size, "%s:%u", ip, ntohs(in->sin_port));
    }
}

int main(int argc, char** argv) {
    const char* host = argc > 1 ? argv[1] : "localhost";
    const char* port = argc > 2 ? argv[2] : "54321";

    addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;     // IPv4 or IPv6, whatever host names
    hints.ai_socktype = SOCK_DGRAM;  // UDP
    addrinfo* server = NULL;
    int rc = getaddrinfo(host, port, &hints, &server);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
        return 1;
    }

    int sock = socket(server->ai_family, server->ai_socktype, server->ai_protocol);
    if (sock < 0) {
        perror("socket");
        freeaddrinfo(server);
        return 1;
    }
    timeval timeout = {5, 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    const char* message = "Hello from UDP client!";
    if (sendto(sock, message, strlen(message), 0, server->ai_addr, server->ai_addrlen) < 0) {
        perror("sendto");
        freeaddrinfo(server);
        close(sock);
        return 1;
    }
    freeaddrinfo(server);
    printf("Sent to %s:%s: %s\n", host, port, message);
    fflush(stdout);

    char buffer[2048];
    sockaddr_storage from;
    socklen_t from_length = sizeof from;
    ssize_t n = recvfrom(sock, buffer, sizeof buffer - 1, 0, (sockaddr*)&from, &from_length);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            fprintf(stderr, "No reply within 5 seconds\n");
        else
            perror("recvfrom");
        close(sock);
        return 1;
    }
    buffer[n] = '\0';
    while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r')) buffer[--n] = '\0';
    char peer[INET6_ADDRSTRLEN + 10];
    format_address(&from, peer, sizeof peer);
    printf("Received from %s: %s\n", peer, buffer);
    fflush(stdout);

    close(sock);
    return 0;
}
