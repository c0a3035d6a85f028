output "target_group_arn" {
  description = "ARN of the target group: give it to an Auto Scaling group's target_group_arns."
  value       = aws_lb_target_group.this.arn
}

output "alb_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "dns_name" {
  description = "DNS name of the load balancer (open http://<dns_name>/)."
  value       = aws_lb.this.dns_name
}

output "security_group_id" {
  description = "Security group of the load balancer: allow it in the instances' security group."
  value       = aws_security_group.alb.id
}
