output "asg_name" {
  description = "Name of the Auto Scaling group."
  value       = aws_autoscaling_group.this.name
}

output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.this.id
}

output "launch_template_version" {
  description = "The launch template version the group runs (a new AMI makes a new one)."
  value       = aws_launch_template.this.latest_version
}

output "security_group_id" {
  description = "Security group of the instances."
  value       = aws_security_group.instances.id
}
