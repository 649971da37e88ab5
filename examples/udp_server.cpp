// UDP server: on localhost port 54321, answers each datagram with
// "Hello from UDP server!", printing what it got and from where. Serves
// until it is stopped, or until it has answered COUNT datagrams.
//
// Usage: udp_server [host] [port] [count]
// Try it with: nc -u localhost 54321
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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
    const long count = argc > 3 ? atol(argv[3]) : 0;  // 0: serve forever

    addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;     // IPv4 or IPv6, whatever host names
    hints.ai_socktype = SOCK_DGRAM;  // UDP
    hints.ai_flags = AI_PASSIVE;     // an address to receive on
    addrinfo* addresses = NULL;
    int rc = getaddrinfo(host, port, &hints, &addresses);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
        return 1;
    }

    // Bind the first address that works.
    int sock = -1;
    for (addrinfo* a = addresses; a != NULL; a = a->ai_next) {
        sock = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (sock < 0) {
            perror("socket");
            continue;
        }
        if (bind(sock, a->ai_addr, a->ai_addrlen) < 0) {
            perror("bind");
            close(sock);
            sock = -1;
            continue;
        }
        break;
    }
    freeaddrinfo(addresses);
    if (sock < 0) return 1;
    printf("UDP server listening on %s:%s\n", host, port);
    fflush(stdout);

    const char* reply = "Hello from UDP server!";
    for (long answered = 0; count == 0 || answered < count; ++answered) {
        char buffer[2048];
        sockaddr_storage from;
        socklen_t from_length = sizeof from;
        ssize_t n = recvfrom(sock, buffer, sizeof buffer - 1, 0, (sockaddr*)&from, &from_length);
        if (n < 0) {
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

        if (sendto(sock, reply, strlen(reply), 0, (sockaddr*)&from, from_length) < 0) {
            perror("sendto");
            close(sock);
            return 1;
        }
        printf("Sent to %s: %s\n", peer, reply);
        fflush(stdout);
    }

    close(sock);
    return 0;
}
