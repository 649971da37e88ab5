// TCP client: connects to localhost port 12345, sends "Hello from client!"
// and prints the server's reply.
//
// Usage: tcp_client [host] [port]
// Start tcp_server first (or: nc -l 12345).
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
    const char* host = argc > 1 ? argv[1] : "localhost";
    const char* port = argc > 2 ? argv[2] : "12345";

    addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;      // IPv4 or IPv6, whatever host names
    hints.ai_socktype = SOCK_STREAM;  // TCP
    addrinfo* addresses = NULL;
    int rc = getaddrinfo(host, port, &hints, &addresses);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
        return 1;
    }

    // Connect to the first address that accepts.
    int sock = -1;
    int last_error = 0;
    for (addrinfo* a = addresses; a != NULL; a = a->ai_next) {
        sock = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (sock < 0) {
            last_error = errno;
            continue;
        }
        if (connect(sock, a->ai_addr, a->ai_addrlen) == 0) break;
        last_error = errno;
        close(sock);
        sock = -1;
    }
    freeaddrinfo(addresses);
    if (sock < 0) {
        fprintf(stderr, "connect: %s\n", strerror(last_error));
        return 1;
    }
    printf("Connected to %s:%s\n", host, port);
    fflush(stdout);

    const char* message = "Hello from client!";
    if (send(sock, message, strlen(message), 0) < 0) {
        perror("send");
        close(sock);
        return 1;
    }
    printf("Sent: %s\n", message);
    fflush(stdout);

    char buffer[1024];
    ssize_t n = recv(sock, buffer, sizeof buffer - 1, 0);
    if (n < 0) {
        perror("recv");
        close(sock);
        return 1;
    }
    buffer[n] = '\0';
    while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r')) buffer[--n] = '\0';
    printf("Received: %s\n", buffer);
    fflush(stdout);

    close(sock);
    return 0;
}
