/* lab_sock.h - --lab's socket building blocks on 127.0.0.1. */
#ifndef TCPSTATE_LAB_SOCK_H
#define TCPSTATE_LAB_SOCK_H

#include <stdbool.h>
#include <stdint.h>

/* A listener on 127.0.0.1:port; rcvbuf (inherited by accepted sockets), TCP_DEFER_ACCEPT
 * seconds and SO_REUSEADDR when non-zero. Returns the descriptor or a negative errno. */
int lab_listener(uint16_t port, int backlog, int rcvbuf, int defer, bool reuse);

/* A client bound to 127.0.0.1:sport (SO_REUSEADDR) connecting to 127.0.0.1:dport; when
 * nonblock it may still be connecting. Returns the descriptor or a negative errno. */
int lab_connect(uint16_t sport, uint16_t dport, int rcvbuf, bool nonblock);

/* accept() with a deadline. Returns the descriptor, -ETIMEDOUT or a negative errno. */
int lab_accept(int lst);

/* Wait (bounded) until fd's tcpi_state is kstate. Returns 0 or -ETIMEDOUT. */
int lab_wait_kstate(int fd, int kstate);

/* Write into fd until the peer's window is closed and the send buffer is full. Returns
 * the bytes queued or a negative errno. */
long lab_fill(int fd);

/* Read fd until end of file (bounded). Returns the bytes read or a negative errno. */
long lab_drain(int fd);

#endif
