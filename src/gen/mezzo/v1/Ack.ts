// Original file: proto/mezzo/v1/scheduler.proto


export interface Ack {
}

export interface Ack__Output {
}
